package io.vrfm.backend.cuda;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.Activation;
import io.vrfm.nn.Conv2d;
import io.vrfm.nn.GroupNorm;
import io.vrfm.nn.Mlp;
import io.vrfm.nn.SiT;
import io.vrfm.nn.SiTConfig;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tensor / nn / optim layers on the emulated kernel backend against the same code on the CPU: a few training
 * steps of a small MLP, and a conv + group-norm block's gradients. Catches integration mistakes (buffer ownership,
 * release, shapes the primitives see) that per-primitive parity cannot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EmulatedTensorIntegrationTest {
    private Backend cpu, emu;

    @BeforeAll
    void start() throws Exception {
        String reason = EmuDevice.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        cpu = new CpuBackend(1);
        emu = new KernelBackend(EmuDevice.start(), "cuda-emu");
    }

    @AfterAll
    void stop() {
        if (emu != null) {
            emu.close();
        }
        if (cpu != null) {
            cpu.close();
        }
    }

    private static void close(String what, float[] ref, float[] got, float tol) {
        BackendParity.assertClose(what, ref, got, tol, tol);
    }

    private float[] mlpTraining(Backend be) {
        Rng rng = new Rng(7);
        Mlp net = new Mlp(be, rng, Activation.GELU, false, 2, 32, 32, 2);
        AdamW opt = new AdamW(net.namedParameters(), 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f);
        Rng data = new Rng(11);
        float[] losses = new float[3];
        for (int step = 0; step < 3; step++) {
            Tensor x = Tensor.randn(be, data, 64, 2), y = Tensor.randn(be, data, 64, 2);
            net.zeroGrad();
            Tensor loss = net.forward(x).mse(y);
            loss.backward();
            opt.step();
            losses[step] = loss.item();
        }
        Map<String, Tensor> p = net.namedParameters();
        float[] w = p.values().iterator().next().toArray();
        float[] out = new float[losses.length + w.length];
        System.arraycopy(losses, 0, out, 0, losses.length);
        System.arraycopy(w, 0, out, losses.length, w.length);
        return out;
    }

    @Test
    void mlpTrainingStepsMatchTheCpu() {
        close("mlp losses + first parameter after 3 AdamW steps", mlpTraining(cpu), mlpTraining(emu), 2e-4f);
    }

    private float[] convBlockGrads(Backend be) {
        Rng rng = new Rng(3);
        Conv2d conv = new Conv2d(be, rng, 3, 8, 3, 1, 1);
        GroupNorm gn = new GroupNorm(be, 4, 8);
        Tensor x = Tensor.randn(be, new Rng(5), 2, 3, 6, 6).requiresGrad(true);
        Tensor y = gn.forward(conv.forward(x)).silu();
        y.mul(y).sum().backward();
        float[] gx = x.grad().toArray();
        float[] gw = conv.namedParameters().values().iterator().next().grad().toArray();
        float[] out = new float[gx.length + gw.length];
        System.arraycopy(gx, 0, out, 0, gx.length);
        System.arraycopy(gw, 0, out, gx.length, gw.length);
        return out;
    }

    @Test
    void convGroupNormGradientsMatchTheCpu() {
        float[] ref = convBlockGrads(cpu), got = convBlockGrads(emu);
        assertEquals(ref.length, got.length);
        close("conv + groupnorm + silu gradients", ref, got, 1e-3f);
    }

    /** A tiny V-SiT (fused attention, rank-6 unpatchify permute, adaLN, label and latent paths) forward + backward. */
    private float[] vsitGrads(Backend be) {
        SiT net = new SiT(be, new Rng(1), new SiTConfig(4, 2, 2, 8, 1, 2, 2f, 3, 0.1f, true, 2));
        java.util.Random r = new java.util.Random(9);
        for (Tensor p : net.parameters()) {
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (0.3 * r.nextGaussian());
            if (p.requiresGrad()) be.upload(v, 0, p.buffer(), 0, v.length);
        }
        float[] xs = new float[3 * 2 * 4 * 4];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextGaussian();
        Tensor x = Tensor.of(be, xs, 3, 2, 4, 4).requiresGrad(true);
        Tensor t = Tensor.of(be, new float[]{0.1f, 0.5f, 0.9f}, 3);
        Tensor z = Tensor.of(be, new float[]{0.3f, -1f, 0.5f, 0.2f, -0.4f, 1.1f}, 3, 2);
        Tensor y = Tensor.of(be, new float[]{0, 3, 2}, 3);
        Tensor out = net.velocity(x, t, z, y);
        out.square().sum().backward();
        float[][] parts = {out.toArray(), x.grad().toArray(),
                net.namedParameters().get("blocks.0.attn.qkv.weight").grad().toArray(),
                net.namedParameters().get("z_embedder.mlp.0.weight").grad().toArray()};
        int n = 0;
        for (float[] a : parts) n += a.length;
        float[] all = new float[n];
        int o = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, all, o, a.length);
            o += a.length;
        }
        return all;
    }

    @Test
    void vsitForwardBackwardMatchesTheCpu() {
        close("V-SiT output, input and weight gradients", vsitGrads(cpu), vsitGrads(emu), 1e-3f);
    }
}
