package io.vrfm.flow;

import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.Locale;

/**
 * How to integrate a velocity field from the source ({@code t = 0}) to the data ({@code t = 1}), as a value:
 * {@link #euler}, {@link #heun}, {@link #dopri5}, {@link #eulerMaruyama}, {@link #sitSde}. Every sampler returns the samples and the
 * number of function evaluations ({@link SampleResult#nfe()}). For a V-RFM field, {@code z} is one latent row per
 * trajectory, drawn once and held fixed through every step and every stage of the integrator (Alg. 2).
 *
 * <pre>{@code
 * SampleResult r = Sampler.heun(10).sample(velocity, x0, new Rng(1));   // draws z once from the Rng
 * float[] xs = r.x().toArray();
 * }</pre>
 */
public interface Sampler {
    /**
     * Integrates {@code f} from {@code x0} at {@code t = 0} to {@code t = 1} (no gradients).
     *
     * @param noise  stream of the stochastic samplers' noise; ignored (may be null) by the ODE samplers
     * @param record keep the state after every accepted step in {@link SampleResult#trajectory()}
     */
    SampleResult integrate(Ode f, Tensor x0, Rng noise, boolean record);

    /** A short name such as {@code euler_8} or {@code dopri5}. */
    String name();

    /** Samples with a given latent {@code z [N, latentDim]} (null for a plain field) and noise stream. */
    default SampleResult sample(VelocityField field, Tensor x0, Tensor z, Rng noise) {
        return integrate(Ode.of(field, z), x0, noise, false);
    }

    /** Samples with a given latent {@code z} (null for a plain field); for the ODE samplers. */
    default SampleResult sample(VelocityField field, Tensor x0, Tensor z) {
        return sample(field, x0, z, null);
    }

    /**
     * Samples from {@code x0}, drawing {@code z ~ N(0, I)} (one row per trajectory) from {@code rng.fork()} when the
     * field has a latent, and the stochastic samplers' noise from a second fork.
     */
    default SampleResult sample(VelocityField field, Tensor x0, Rng rng) {
        Tensor z = Samplers.drawLatent(field, x0.dim(0), rng.fork(), x0.backend());
        return sample(field, x0, z, rng.fork());
    }

    /** Explicit Euler with {@code steps} uniform steps; NFE = steps. */
    static Sampler euler(int steps) {
        return new Euler(steps);
    }

    /** Heun's method (explicit trapezoid) with {@code steps} uniform steps; NFE = 2·steps. */
    static Sampler heun(int steps) {
        return new Heun(steps);
    }

    /** Adaptive Dormand–Prince 5(4) with relative and absolute tolerances; NFE counts rejected steps too. */
    static Sampler dopri5(double rtol, double atol) {
        return new Dopri5(rtol, atol);
    }

    /**
     * Euler–Maruyama for the SDE with the flow's marginals, diffusion {@code w(t) = ε(1 − t)}, last step noise-free;
     * valid for a standard normal source only ({@link Samplers#eulerMaruyama}). NFE = steps.
     */
    static Sampler eulerMaruyama(int steps, float epsilon) {
        return new EulerMaruyama(steps, epsilon);
    }

    /**
     * SiT's SDE sampler: Euler–Maruyama with SiT's SBDM diffusion {@code w(t) = norm·(1 − t)/t} and its "Mean" last
     * step; valid for a standard normal source only ({@link Samplers#sitSde}). NFE = steps.
     */
    static Sampler sitSde(int steps, float norm) {
        return new SiTSde(steps, norm);
    }

    /** {@link #euler}. */
    record Euler(int steps) implements Sampler {
        /** Checks {@code steps >= 1}. */
        public Euler {
            checkSteps(steps);
        }

        @Override
        public SampleResult integrate(Ode f, Tensor x0, Rng noise, boolean record) {
            return Samplers.euler(f, x0, steps, record);
        }

        @Override
        public String name() {
            return "euler_" + steps;
        }
    }

    /** {@link #heun}. */
    record Heun(int steps) implements Sampler {
        /** Checks {@code steps >= 1}. */
        public Heun {
            checkSteps(steps);
        }

        @Override
        public SampleResult integrate(Ode f, Tensor x0, Rng noise, boolean record) {
            return Samplers.heun(f, x0, steps, record);
        }

        @Override
        public String name() {
            return "heun_" + steps;
        }
    }

    /** {@link #dopri5}. */
    record Dopri5(double rtol, double atol) implements Sampler {
        /** Checks that both tolerances are positive. */
        public Dopri5 {
            if (!(rtol > 0) || !(atol > 0)) {
                throw new IllegalArgumentException("dopri5: tolerances must be positive, got rtol " + rtol + ", atol " + atol);
            }
        }

        @Override
        public SampleResult integrate(Ode f, Tensor x0, Rng noise, boolean record) {
            return Samplers.dopri5(f, x0, rtol, atol, record);
        }

        @Override
        public String name() {
            return "dopri5";
        }
    }

    /** {@link #eulerMaruyama}. */
    record EulerMaruyama(int steps, float epsilon) implements Sampler {
        /** Checks {@code steps >= 1} and {@code epsilon >= 0}. */
        public EulerMaruyama {
            checkSteps(steps);
            if (!(epsilon >= 0)) {
                throw new IllegalArgumentException("euler-maruyama: epsilon must be >= 0, got " + epsilon);
            }
        }

        @Override
        public SampleResult integrate(Ode f, Tensor x0, Rng noise, boolean record) {
            if (noise == null) {
                throw new IllegalArgumentException("euler-maruyama needs a noise stream: use sample(field, x0, z, rng)"
                        + " or sample(field, x0, rng)");
            }
            return Samplers.eulerMaruyama(f, x0, steps, epsilon, noise, record);
        }

        @Override
        public String name() {
            return String.format(Locale.ROOT, "em_%d", steps);
        }
    }

    /** {@link #sitSde}. */
    record SiTSde(int steps, float norm) implements Sampler {
        /** Checks {@code steps >= 1} and {@code 0 <= norm <= 2} (the stability bound of the first SDE step). */
        public SiTSde {
            checkSteps(steps);
            if (!(norm >= 0 && norm <= 2)) {
                throw new IllegalArgumentException("sit-sde: the diffusion norm must be in [0, 2], got " + norm);
            }
        }

        @Override
        public SampleResult integrate(Ode f, Tensor x0, Rng noise, boolean record) {
            if (noise == null && norm > 0) {
                throw new IllegalArgumentException("sit-sde needs a noise stream: use sample(field, x0, z, rng)"
                        + " or sample(field, x0, rng)");
            }
            return Samplers.sitSde(f, x0, steps, norm, noise, record);
        }

        @Override
        public String name() {
            return String.format(Locale.ROOT, "sit-sde_%d", steps);
        }
    }

    private static void checkSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("sampler: steps must be >= 1, got " + steps);
        }
    }
}
