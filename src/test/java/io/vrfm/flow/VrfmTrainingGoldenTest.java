package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.io.SafeTensors;
import io.vrfm.nn.PosteriorInput;
import io.vrfm.nn.SyntheticPosterior;
import io.vrfm.nn.SyntheticVelocityNet;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden V-RFM training against PyTorch ({@code fixtures/vrfm_train/make_fixture.py}): the synthetic velocity net and
 * posterior at width 16 with PyTorch's initial weights, ten AdamW steps on fixed batches and fixed reparameterisation
 * noise. Every step's total, reconstruction and KL, every gradient of the first and last step, and every final weight
 * must match.
 */
class VrfmTrainingGoldenTest {
    private static final Backend BE = new CpuBackend(1);

    private static float[] row(SafeTensors.Entry e, int step) {
        int per = e.data().length / e.shape()[0];
        return Arrays.copyOfRange(e.data(), step * per, (step + 1) * per);
    }

    private static void close(String what, float[] want, float[] got, double rel, double abs) {
        assertEquals(want.length, got.length, what);
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < want.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(want[i]));
            maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
        }
        assertTrue(maxDiff <= rel * maxRef + abs, what + ": max |diff| " + maxDiff + " vs max |ref| " + maxRef);
    }

    @Test
    void tenAdamWStepsMatchPyTorch() throws Exception {
        Map<String, SafeTensors.Entry> f = SafeTensors.read(Path.of(getClass()
                .getResource("/fixtures/vrfm_train/vrfm_train.safetensors").toURI())).tensors();
        Rng rng = new Rng(0);
        SyntheticVelocityNet v = new SyntheticVelocityNet(BE, rng, 2, 3, 16, 16);
        SyntheticPosterior q = new SyntheticPosterior(BE, rng, 2, 3,
                EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT), 16, 16);
        Map<String, Tensor> params = new LinkedHashMap<>(v.namedParameters());
        q.namedParameters().forEach((k, t) -> params.put("q." + k, t));
        Map<String, SafeTensors.Entry> init = new LinkedHashMap<>();
        f.forEach((k, e) -> {
            if (k.startsWith("init.")) init.put(k.substring(5), e);
        });
        SafeTensors.loadInto(params, init, "vrfm_train init");
        AdamW opt = new AdamW(params, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f);
        SafeTensors.Entry x0 = f.get("data.x0"), x1 = f.get("data.x1"), t = f.get("data.t"), eps = f.get("data.eps");
        int steps = x0.shape()[0], batch = x0.shape()[1];
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            Interpolant.Batch b = Interpolant.at(Tensor.of(BE, row(x0, s), batch, 2), Tensor.of(BE, row(x1, s), batch, 2),
                    Tensor.of(BE, row(t, s), batch));
            FlowLosses.Loss loss = FlowLosses.vrfm(v, q, b, 0.3f, Reduction.SUM, Tensor.of(BE, row(eps, s), batch, 3));
            loss.total().backward();
            float[] want = row(f.get("loss"), s);
            close("step " + s + " losses (total, recon, kl)", want,
                    new float[]{loss.total().item(), loss.recon().item(), loss.kl().item()}, 2e-5, 1e-6);
            if (s == 0 || s == steps - 1) {
                for (Map.Entry<String, Tensor> p : params.entrySet()) {
                    close("step " + s + " gradient of " + p.getKey(), f.get("grad" + s + "." + p.getKey()).data(),
                            p.getValue().grad().toArray(), 1e-4, 1e-7);
                }
            }
            opt.step();
        }
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            close("final " + p.getKey(), f.get("final." + p.getKey()).data(), p.getValue().toArray(), 1e-4, 1e-6);
        }
    }
}
