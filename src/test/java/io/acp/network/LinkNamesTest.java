package io.acp.network;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The mark on ACP's links: which network, which node, and whose links a node may change. */
class LinkNamesTest {

    @Test
    void aMarkNamesItsNetworkAndItsNode() {
        String mark = LinkNames.alias("lan.2", "n1");
        assertThat(mark).isEqualTo("acp:network/lan.2@n1");
        assertThat(LinkNames.networkOf(mark)).isEqualTo("lan.2");
        assertThat(LinkNames.ownerOf(mark)).isEqualTo("n1");
        assertThat(LinkNames.ownedByNode(mark, "n1")).isTrue();
        assertThat(LinkNames.ownedByNode(mark, "n2")).as("another node's link").isFalse();
        assertThat(LinkNames.ownedByNode(mark, "n")).as("a node whose name is a prefix").isFalse();
    }

    @Test
    void aMarkFromBeforeNodesWereNamedIsAnyNodesOwnAndAForeignAliasNobodys() {
        assertThat(LinkNames.networkOf("acp:network/lan")).isEqualTo("lan");
        assertThat(LinkNames.ownerOf("acp:network/lan")).isNull();
        assertThat(LinkNames.ownedByNode("acp:network/lan", "n1")).isTrue();
        for (String foreign : new String[] {null, "", "someone else's", "acp:net/lan@n1"}) {
            assertThat(LinkNames.networkOf(foreign)).as(foreign).isNull();
            assertThat(LinkNames.ownerOf(foreign)).as(foreign).isNull();
            assertThat(LinkNames.ownedByNode(foreign, "n1")).as(foreign).isFalse();
        }
    }

    @Test
    void aLinkSaysWhyItIsNotTheNodes() {
        Link others = new Link("acp-lan", "bridge", null, "acp:network/lan@n2", null, 0, false, "aa:bb:cc:dd:ee:ff", 1500, "UP", true, null);
        assertThat(others.ownedBy("lan", "n1")).isFalse();
        assertThat(others.ownedBy("lan", "n2")).isTrue();
        assertThat(others.ownedBy("wan", "n2")).as("a mark of another network").isFalse();
        assertThat(others.notOwnedReason("lan", "n1")).contains("created by ACP node n2").contains("not by node n1");
        Link foreign = new Link("acp-lan", "bridge", null, "mine", null, 0, false, "aa:bb:cc:dd:ee:ff", 1500, "UP", true, null);
        assertThat(foreign.notOwnedReason("lan", "n1")).contains("was not created by ACP for network lan (alias 'mine')");
    }
}
