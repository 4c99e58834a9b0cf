package io.vrfm.flow;

import io.vrfm.tensor.Tensor;

import java.util.List;

/**
 * The end state of an integration, the number of function evaluations it took, and — when recorded — the states
 * along the way ({@code trajectory.get(k)} at {@code times.get(k)}, host copies {@code [N·dim]}).
 */
public record SampleResult(Tensor x, int nfe, List<float[]> trajectory, List<Float> times) {
    public int steps() {
        return times == null ? 0 : times.size() - 1;
    }
}
