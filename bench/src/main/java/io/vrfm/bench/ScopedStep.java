package io.vrfm.bench;

import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Tensor;
import io.vrfm.tensor.TensorScope;

import java.util.function.Supplier;

/**
 * One optimisation step the way {@link io.vrfm.flow.FlowTrainer} runs it, for the JMH step benchmarks that build
 * their own loss: inside a {@link TensorScope}, so the step's temporaries (and, after the last {@code zeroGrad}, its
 * gradients) go back to the backend's buffer pool for the next step instead of to the garbage collector. Outside a
 * scope the UNet step allocated 743 MB per step and the SiT step 3.2 GB (JMH {@code -prof gc}); a benchmark stepping
 * that way measured a path no user of the trainer takes.
 */
final class ScopedStep {
    private ScopedStep() {
    }

    /** Zeroes the gradients, builds the loss, back-propagates, steps {@code opt}; returns the loss. */
    static float run(AdamW opt, Supplier<Tensor> loss) {
        try (TensorScope ignored = TensorScope.open()) {
            opt.zeroGrad();
            Tensor l = loss.get();
            l.backward();
            opt.step();
            float value = l.item();
            opt.zeroGrad(); // the gradients belong to this step's scope
            return value;
        }
    }
}
