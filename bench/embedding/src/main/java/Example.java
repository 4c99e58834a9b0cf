import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.eval.SampleMetrics;
import io.vrfm.flow.Coupling;
import io.vrfm.flow.Method;
import io.vrfm.flow.SampleResult;
import io.vrfm.flow.Samplers;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
import io.vrfm.io.Checkpoint;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * V-RFM on the paper's 2-D task from an application that depends only on io.vrfm:vrfm4j: train, sample with
 * 4 Euler steps, score, save a safetensors checkpoint.
 * TODO(api): replace with the README's "Use it from Java" example (own MLP velocity field, FlowTrainer,
 * Sampler types, Devices.auto()) once that API is merged; until then this uses today's API.
 */
public class Example {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "out");
        Files.createDirectories(out);
        try (Backend be = new CpuBackend()) {
            SyntheticData.Task task = SyntheticData.twoD();
            Coupling pairs = Coupling.independent(2, task.source()::sample, task.target()::sample);
            TrainConfig cfg = TrainConfig.paper2d(Method.VRFM, 0).withIters(300).withBatch(256);
            Trainer trainer = new Trainer(be, pairs, cfg);
            double first = trainer.trainStep().total(), last = first;
            while (trainer.step() < cfg.iters()) {
                last = trainer.trainStep().total();
            }
            int n = 2000;
            Rng rng = new Rng(7);
            Tensor x0 = Tensor.of(be, task.source().sample(rng.fork(), n), n, 2);
            Tensor z = Samplers.drawLatent(trainer.model().velocity(), n, rng.fork(), be);
            SampleResult r = Samplers.sample(trainer.model().velocity(), x0, z, "euler", 4, false);
            double ll = SampleMetrics.trueLogLikelihood(r.x().toArray(), n, task.target());
            Checkpoint.save(out.resolve("model.safetensors"), trainer.model(), trainer.optimizer(), null,
                    trainer.step(), Map.of("method", "vrfm"));
            System.out.printf("loss %.3f -> %.3f after %d steps; 4 Euler steps: true log-likelihood %.3f (%s)%n",
                    first, last, trainer.step(), ll, be.describe());
            if (!(last < first) || !Double.isFinite(ll)) {
                throw new AssertionError("training did not reduce the loss or the samples are not finite");
            }
            System.out.println("ok");
        }
    }
}
