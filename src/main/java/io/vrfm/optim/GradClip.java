package io.vrfm.optim;

import io.vrfm.backend.UnaryOp;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Tensor;

import java.util.Collection;

/** Gradient-norm clipping over a set of parameters, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {
    }

    /** Scales all gradients so their joint L2 norm is at most {@code maxNorm}; returns the norm before clipping. */
    public static double clipGradNorm(Collection<Tensor> params, double maxNorm) {
        double total = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (Tensor p : params) {
                if (p.grad() != null) {
                    total += p.grad().square().sum().item();
                }
            }
            double norm = Math.sqrt(total);
            double scale = maxNorm / (norm + 1e-6);
            if (scale < 1.0) {
                for (Tensor p : params) {
                    Tensor g = p.grad();
                    if (g != null) {
                        g.backend().unary(UnaryOp.AFFINE, g.buffer(), g.buffer(), g.size(), (float) scale, 0f);
                    }
                }
            }
            return norm;
        }
    }
}
