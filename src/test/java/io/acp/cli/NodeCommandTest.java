package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeCommandTest {

    @Test
    void onlyNodeRunCountsAsRunningTheNode() {
        assertThat(NodeCommand.isNodeRun("node", "run")).isTrue();
        assertThat(NodeCommand.isNodeRun("node", "run", "--extra")).isTrue();
        assertThat(NodeCommand.isNodeRun("node")).isFalse();
        assertThat(NodeCommand.isNodeRun("status")).isFalse();
        assertThat(NodeCommand.isNodeRun("get", "node", "run")).as("the object node/run").isFalse();
        assertThat(NodeCommand.isNodeRun()).isFalse();
    }

    @Test
    void helpAndVersionAreNeverNodeRuns() {
        assertThat(NodeCommand.isNodeRun("node", "run", "--help")).isFalse();
        assertThat(NodeCommand.isNodeRun("node", "run", "-h")).isFalse();
        assertThat(NodeCommand.isNodeRun("-V", "node", "run")).isFalse();
    }
}
