package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code acp.ha.members}: an odd list of node@host:port including this node, or a start refused with the reason. */
class HaMembersTest {

    @Test
    void threeMembersParse() {
        assertThat(HaService.members(Optional.of(List.of("n1@10.0.0.1:7446", " n2@10.0.0.2:7446", "w@10.0.0.9:7446")), "n1").keySet())
                .containsExactly("n1", "n2", "w");
    }

    @Test
    void twoMembersNeedAWitness() {
        assertThatThrownBy(() -> HaService.members(Optional.of(List.of("n1@h1:7446", "n2@h2:7446")), "n1"))
                .hasMessageContaining("odd number").hasMessageContaining("witness");
    }

    @Test
    void theListMustIncludeThisNodeAndBeWellFormed() {
        assertThatThrownBy(() -> HaService.members(Optional.of(List.of("n2@h2:7446")), "n1")).hasMessageContaining("does not include this node n1");
        assertThatThrownBy(() -> HaService.members(Optional.of(List.of("n1-h1:7446")), "n1")).hasMessageContaining("not node@host:port");
        assertThatThrownBy(() -> HaService.members(Optional.empty(), "n1")).hasMessageContaining("acp.ha.members is not set");
    }
}
