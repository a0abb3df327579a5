package io.acp.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntryJsonTest {

    private static final Version V = new Version(HybridClock.fromMillis(1_764_010_000_000L) + 2, "n1");

    private static JsonNode parse(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    private static Entry roundTrip(Entry e) throws Exception {
        // Through bytes, as on the wire and in the journal.
        return EntryJson.fromJson(parse(Json.MAPPER.writeValueAsString(EntryJson.toJson(e))));
    }

    @Test
    void objectWithSubtypeRoundTrips() throws Exception {
        ObjectNode spec = Json.object().put("vlan", 100);
        spec.putObject("ports").put("eth0", true);
        ObjectEntry e = new ObjectEntry(ObjectKey.of(ObjectType.NETWORK, "v100"), "vlan", spec, V, false);

        assertThat(roundTrip(e)).isEqualTo(e);
        assertThat(EntryJson.toJson(e).get("version").asText()).isEqualTo(V.toString());
    }

    @Test
    void objectWithoutSubtypeRoundTrips() throws Exception {
        ObjectEntry e = new ObjectEntry(ObjectKey.of(ObjectType.NODE, "n1"), null, Json.object().put("addr", "10.0.0.1"), V, false);
        assertThat(roundTrip(e)).isEqualTo(e);
        assertThat(EntryJson.toJson(e).has("subtype")).isFalse();
    }

    @Test
    void tombstoneRoundTrips() throws Exception {
        ObjectEntry e = new ObjectEntry(ObjectKey.of(ObjectType.STORAGE, "pool:a"), "pool", Json.object(), V, true);
        ObjectEntry back = (ObjectEntry) roundTrip(e);
        assertThat(back).isEqualTo(e);
        assertThat(back.deleted()).isTrue();
        assertThat(back.node()).isEqualTo("n1");
    }

    @Test
    void metaRoundTrips() throws Exception {
        MetaEntry e = new MetaEntry(ObjectKey.of(ObjectType.SYSTEM, "vm-1"), "n2", Json.object().put("state", "running"), new Version(5, "n2"));
        assertThat(roundTrip(e)).isEqualTo(e);
    }

    @Test
    void statsRoundTripAndCarryTheirTime() throws Exception {
        StatsEntry e = new StatsEntry(ObjectKey.of(ObjectType.NODE, "n1"), "n1", Map.of("cpu", 0.12, "mem", 1.5e9), V);
        assertThat(roundTrip(e)).isEqualTo(e);
        assertThat(EntryJson.toJson(e).get("time").asLong()).isEqualTo(1_764_010_000_000L);
    }

    @Test
    void parsesTheExamplesOfTheProtocolDoc() throws Exception {
        Entry obj = EntryJson.fromJson(parse("{\"kind\":\"object\",\"type\":\"network\",\"subtype\":\"vlan\",\"id\":\"v100\",\"spec\":{\"vlan\":100},\"deleted\":false,\"version\":\"18c2f3a1b2c40000@n1\"}"));
        Entry meta = EntryJson.fromJson(parse("{\"kind\":\"meta\",\"type\":\"node\",\"id\":\"n1\",\"node\":\"n1\",\"values\":{\"state\":\"running\"},\"version\":\"18c2f3a1b2c40001@n1\"}"));
        Entry stats = EntryJson.fromJson(parse("{\"kind\":\"stats\",\"type\":\"node\",\"id\":\"n1\",\"node\":\"n1\",\"time\":1764010000000,\"values\":{\"cpu\":0.12},\"version\":\"18c2f3a1b2c40002@n1\"}"));

        assertThat(obj).isInstanceOf(ObjectEntry.class);
        assertThat(((ObjectEntry) obj).subtype()).isEqualTo("vlan");
        assertThat(obj.version()).isEqualTo(new Version(0x18c2f3a1b2c40000L, "n1"));
        assertThat(meta.kind()).isEqualTo(Entry.Kind.META);
        assertThat(((StatsEntry) stats).values()).containsEntry("cpu", 0.12);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "no kind         | {'type':'node','id':'n1','version':'1@n1'}                                          | 'kind'",
            "unknown kind    | {'kind':'blob','type':'node','id':'n1','version':'1@n1'}                            | kind 'blob'",
            "no type         | {'kind':'meta','id':'n1','node':'n1','values':{},'version':'1@n1'}                  | 'type'",
            "unknown type    | {'kind':'meta','type':'vm','id':'n1','node':'n1','values':{},'version':'1@n1'}      | type 'vm'",
            "no id           | {'kind':'meta','type':'node','node':'n1','values':{},'version':'1@n1'}              | 'id'",
            "bad id          | {'kind':'meta','type':'node','id':'a b','node':'n1','values':{},'version':'1@n1'}   | id 'a b'",
            "no version      | {'kind':'meta','type':'node','id':'n1','node':'n1','values':{}}                     | 'version'",
            "bad version     | {'kind':'meta','type':'node','id':'n1','node':'n1','values':{},'version':'xyz@n1'}  | version 'xyz@n1'",
            "version no node | {'kind':'meta','type':'node','id':'n1','node':'n1','values':{},'version':'12@'}    | version '12@'",
            "no spec         | {'kind':'object','type':'node','id':'n1','version':'1@n1'}                          | 'spec'",
            "array spec      | {'kind':'object','type':'node','id':'n1','spec':[],'version':'1@n1'}                | 'spec'",
            "number subtype  | {'kind':'object','type':'storage','subtype':3,'id':'d','spec':{},'version':'1@n1'}  | 'subtype'",
            "wrong subtype   | {'kind':'object','type':'storage','subtype':'x','id':'d','spec':{},'version':'1@n1'}| subtype",
            "text deleted    | {'kind':'object','type':'node','id':'n1','spec':{},'deleted':'yes','version':'1@n1'}| 'deleted'",
            "meta no node    | {'kind':'meta','type':'node','id':'n1','values':{},'version':'1@n1'}                | 'node'",
            "meta no values  | {'kind':'meta','type':'node','id':'n1','node':'n1','version':'1@n1'}                | 'values'",
            "stats no values | {'kind':'stats','type':'node','id':'n1','node':'n1','version':'1@n1'}               | 'values'",
            "stats text      | {'kind':'stats','type':'node','id':'n1','node':'n1','values':{'cpu':'hi'},'version':'1@n1'} | 'cpu'",
    })
    void parseErrorsNameTheField(String what, String json, String named) throws Exception {
        JsonNode node = parse(json.replace('\'', '"'));
        assertThatThrownBy(() -> EntryJson.fromJson(node))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(named);
    }

    @Test
    void nonObjectIsRejected() throws Exception {
        assertThatThrownBy(() -> EntryJson.fromJson(parse("[1]"))).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> EntryJson.fromJson(null)).hasMessageContaining("JSON object");
    }
}
