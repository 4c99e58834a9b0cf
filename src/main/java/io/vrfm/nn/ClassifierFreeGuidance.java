package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/**
 * Classifier-free guidance as a {@link VelocityField}, so any sampler uses it unchanged: each call evaluates the
 * wrapped field once on a doubled batch — the conditional half with the requested labels, the unconditional half
 * with the null class, both with the same {@code x}, {@code t} and the same {@code z} (one latent per trajectory) —
 * and returns {@code v = v_uncond + scale·(v_cond − v_uncond)}. Scale 1 is the conditional field, 0 the
 * unconditional one; the paper samples with 1.5.
 *
 * <p>Which channels are guided ({@link Channels}): {@link Channels#ALL} is the standard rule;
 * {@link Channels#FIRST_THREE} reproduces SiT's {@code forward_with_cfg}, which (for exact reproducibility with
 * DiT) guides only channels 0–2 and passes the others through from the conditional half — on 4-channel SD-VAE
 * latents the fourth channel is unguided. For images with at most three channels the two rules agree.
 */
public final class ClassifierFreeGuidance implements VelocityField {
    /** Which output channels (axis 1) guidance applies to. */
    public enum Channels {
        /** Every channel (the standard formulation). */
        ALL,
        /** Channels 0–2 only, the rest from the conditional output (SiT's and DiT's released sampling code). */
        FIRST_THREE;

        /** The launcher's spelling: {@code all} or {@code first-three}. */
        public String key() {
            return this == ALL ? "all" : "first-three";
        }

        /** Parses {@code all} or {@code first-three} (case and {@code _} tolerated); a one-line error otherwise. */
        public static Channels parse(String s) {
            String k = s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            if (k.equals("all")) return ALL;
            if (k.equals("first-three") || k.equals("first3")) return FIRST_THREE;
            throw new IllegalArgumentException("--cfg-channels must be all (guide every channel) or first-three"
                    + " (SiT's rule: channels 0-2 only), got '" + s + "'");
        }
    }

    private final ClassConditionalField field;
    private final Tensor labels;
    private final float scale;
    private final Channels channels;

    /**
     * @param labels the requested class per sample {@code [N]} (the batch the sampler integrates)
     */
    public ClassifierFreeGuidance(ClassConditionalField field, Tensor labels, float scale, Channels channels) {
        this.field = field;
        this.labels = labels;
        this.scale = scale;
        this.channels = channels;
    }

    @Override
    public Tensor velocity(Tensor x, Tensor t, Tensor z) {
        int n = x.dim(0);
        if (labels.size() != n) {
            throw new IllegalArgumentException("classifier-free guidance: " + labels.size() + " labels for a batch of " + n);
        }
        Tensor x2 = Tensor.concat(0, x, x);
        Tensor t2 = Tensor.concat(0, t, t);
        Tensor z2 = z == null ? null : Tensor.concat(0, z, z);
        Tensor y2 = Tensor.concat(0, labels.reshape(n), Tensor.full(x.backend(), field.nullClass(), n));
        Tensor[] halves = field.velocity(x2, t2, z2, y2).split(0, n, n);
        Tensor cond = halves[0], uncond = halves[1];
        Tensor guided = uncond.add(cond.sub(uncond).mul(scale));
        if (channels == Channels.ALL || x.rank() < 2 || x.dim(1) <= 3) {
            return guided;
        }
        int c = x.dim(1);
        return Tensor.concat(1, guided.slice(1, 0, 3), cond.slice(1, 3, c));
    }

    @Override
    public int latentDim() {
        return field.latentDim();
    }

    public float scale() {
        return scale;
    }

    public Channels channels() {
        return channels;
    }
}
