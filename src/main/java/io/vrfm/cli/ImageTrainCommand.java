package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.data.ImageSet;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.Method;
import io.vrfm.flow.Reduction;
import io.vrfm.nn.LatentFusion;
import io.vrfm.nn.PosteriorInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code train-image}: trains RFM or V-RFM on an image data set. Starts from a preset ({@code --preset paper}: the
 * paper's recipe for the data set; {@code quick}: the two-core MNIST configuration; {@code medium}: torchcfm's MNIST UNet, 1,000 steps of 32) and applies the overrides given.
 */
@Command(name = "train-image", mixinStandardHelpOptions = true,
        description = {"Train rectified flow (rfm) or variational rectified flow (vrfm) on mnist, fashion-mnist or cifar10.",
                "--resume DIR continues a run: options not given come from its recipe.json; the ones given must"
                        + " match it, except a larger --steps and the checkpoint/sample periods."})
public final class ImageTrainCommand implements Callable<Integer> {
    @Option(names = "--dataset", description = "mnist, fashion-mnist, cifar10, or latents:LATENTS.npy[,LABELS.npy] |"
            + " latents:FILE.safetensors (precomputed latents, e.g. SD-VAE ImageNet-256; see docs/IMAGENET.md)"
            + " (required unless --resume; default: none)") String dataset;
    @Option(names = "--method", description = "rfm, vrfm, otfm or cfm (default: vrfm)") String method;
    @Option(names = "--model", description = "unet, mnist-resnet, sit or vsit (V-SiT: sit with --method vrfm) (default: mnist-resnet for (fashion-)mnist, unet for cifar10, sit for latents)") String model;
    @Option(names = "--config", description = "SiT shape: S/2, B/2, L/2, XL/2 (also /4, /8) or DEPTHxWIDTHxHEADS/PATCH (default: the preset's; S/2 for paper)") String sitConfig;
    @Option(names = "--patch", description = "SiT patch size, replacing the config's; must divide the image side: 2, 4, 7 or 14 for 28×28 (default: the config's)") Integer patch;
    @Option(names = "--class-cond", description = "SiT: class-conditional on the data set's labels (default: the preset's; on for sit)") Boolean classCond;
    @Option(names = "--cfg-dropout", description = "label dropout to the null class for classifier-free guidance (default: the preset's; 0.1 for sit)") Float cfgDropout;
    @Option(names = "--preset", description = "paper, medium (the two-core MNIST UNet; not for sit) or quick (default: paper)") String preset;
    @Option(names = "--steps", description = "training steps (default: the preset's)") Integer steps;
    @Option(names = "--batch", description = "batch size (default: the preset's)") Integer batch;
    @Option(names = "--lr", description = "learning rate (default: the preset's)") Float lr;
    @Option(names = "--optimizer", description = "adam or adamw (default: the preset's)") String optimizer;
    @Option(names = "--warmup", description = "linear warm-up steps (default: the preset's)") Integer warmup;
    @Option(names = "--grad-clip", description = "global gradient-norm clip, 0 = off (default: the preset's)") Float gradClip;
    @Option(names = "--ema", description = "EMA decay in [0, 1] (default: the preset's)") Float ema;
    @Option(names = "--lambda", description = "KL weight (default: the preset's)") Float lambda;
    @Option(names = "--latent-dim", description = "V-RFM latent size (default: the preset's)") Integer latentDim;
    @Option(names = "--posterior-inputs", description = "subset of x0,x1,xt,t (default: the preset's)") String posteriorInputs;
    @Option(names = "--fusion", description = "UNet latent fusion: adaptive-norm or bottleneck-sum (default: adaptive-norm)") String fusion;
    @Option(names = "--width", description = "base channels (default: the preset's)") Integer width;
    @Option(names = "--blocks", description = "res blocks per level (UNet) / per stage (mnist-resnet) (default: the preset's)") Integer blocks;
    @Option(names = "--dropout", description = "dropout in [0, 1) (default: the preset's)") Float dropout;
    @Option(names = "--posterior-width", description = "posterior encoder base width (default: the preset's)") Integer posteriorWidth;
    @Option(names = "--posterior-blocks", description = "unet posterior: ResBlocks per level (default: the preset's; 2 for cifar10, as the velocity UNet)") Integer posteriorBlocks;
    @Option(names = "--posterior-attention", description = "unet posterior: spatial sizes with self-attention, e.g. 16 or 16,8, or none (default: the preset's; 16 for cifar10)") String posteriorAttention;
    @Option(names = "--reduction", description = "mean or sum for both the reconstruction and the KL, as the single setting of earlier versions (default: the preset's, see --recon-reduction, --kl-reduction)") String reduction;
    @Option(names = "--recon-reduction", description = "reconstruction: mean over elements or per-sample sum (default: mean)") String reconReduction;
    @Option(names = "--kl-reduction", description = "KL: sum over latent dimensions or mean (default: sum)") String klReduction;
    @Option(names = "--hflip", negatable = true, description = "random horizontal flips of the training images,"
            + " --no-hflip to turn them off (default: the preset's; on for the cifar10 paper recipe)") Boolean hflip;
    @Option(names = "--checkpoint-every", description = "checkpoint period in steps; 0 = only at the end (default: the preset's)") Integer checkpointEvery;
    @Option(names = "--sample-every", description = "sample-grid period in steps; 0 = never (default: the preset's)") Integer sampleEvery;
    @Option(names = "--seed", description = "seed (default: 0)") Long seed;
    @Option(names = "--train-limit", description = "use only the first N training images (default: all)") Integer trainLimit;
    @Option(names = "--data-dir", defaultValue = "data", description = "data folder (default: ${DEFAULT-VALUE})") Path dataDir;
    @Mixin RunOptions run = new RunOptions();
    @Mixin DeviceOption device = new DeviceOption();

    /** Per-pixel, per-channel working memory of one training image, a lower bound (bytes). */
    static final long BYTES_PER_ACTIVATION = 4L * 4;

    /** The preset for a data set and method (or the recipe stored in a resumed run), with the overrides applied. */
    ImageRecipe recipe(ImageRecipe stored) {
        ImageRecipe base;
        if (model == null && stored == null && io.vrfm.io.LatentDataset.isSpec(dataset)) {
            model = "sit"; // latents (SD-VAE ImageNet): SiT's recipe unless told otherwise
        }
        if ("vsit".equals(model)) {
            if (method != null && !Method.parse(method).equals(Method.VRFM)) {
                throw new IllegalArgumentException("--model vsit is V-RFM; drop --method " + method + " or use --model sit");
            }
            method = "vrfm";
            model = "sit";
        }
        boolean sit = "sit".equals(model) || (model == null && stored != null && stored.model().equals("sit"));
        if (stored != null && preset == null && method == null && dataset == null && fusion == null) {
            base = stored;
        } else {
            Method m = Method.parse(method != null ? method : stored != null ? stored.method().key() : sit ? "rfm" : "vrfm");
            String ds = ImageData.canonicalName(dataset != null ? dataset : stored.dataset());
            String p = preset != null ? preset : "paper";
            if (sit && p.equals("quick")) {
                base = ImageRecipe.sitQuick(m, ds);
            } else if (sit && p.equals("paper")) {
                base = ImageRecipe.sitPaper(m, ds);
            } else if (p.equals("quick")) {
                base = ImageRecipe.mnistQuick(m);
            } else if (p.equals("medium") && !sit) {
                base = ImageRecipe.mnistMedium(m);
            } else if (!p.equals("paper")) {
                throw new IllegalArgumentException("--preset must be paper, medium (the MNIST UNet; not for sit) or quick, got '" + p + "'");
            } else if (ds.equals("cifar10")) {
                base = ImageRecipe.cifarPaper(m, fusion == null ? LatentFusion.ADAPTIVE_NORM : LatentFusion.parse(fusion));
            } else {
                base = ImageRecipe.mnistPaper(m);
            }
            if (stored != null && preset == null) {
                // a resumed run with --method/--dataset/--fusion: start from its recipe, change only those
                Map<String, Object> keep = stored.toMap();
                keep.put("method", m.key());
                keep.put("dataset", ds);
                base = ImageRecipe.fromMap(keep);
            } else {
                base = base.with(Map.of("dataset", ds));
            }
        }
        Map<String, Object> o = new LinkedHashMap<>();
        String ds = base.dataset();
        if (model != null) o.put("model", model);
        else if (stored == null && ds.equals("cifar10") && "quick".equals(preset)) o.put("model", "unet");
        if (steps != null) o.put("steps", steps);
        if (batch != null) o.put("batch", batch);
        if (lr != null) o.put("lr", lr);
        if (optimizer != null) o.put("optimizer", optimizer);
        if (warmup != null) o.put("warmup", warmup);
        if (gradClip != null) o.put("grad_clip", gradClip);
        if (ema != null) o.put("ema_decay", ema);
        if (lambda != null) o.put("lambda", lambda);
        if (latentDim != null) o.put("latent_dim", latentDim);
        if (posteriorInputs != null) o.put("posterior_inputs", PosteriorInput.format(PosteriorInput.parse(posteriorInputs)));
        if (fusion != null) o.put("fusion", fusion);
        if (width != null) o.put("width", width);
        if (blocks != null) o.put("blocks", blocks);
        if (dropout != null) o.put("dropout", dropout);
        if (posteriorWidth != null) o.put("posterior_width", posteriorWidth);
        if (posteriorBlocks != null || posteriorAttention != null) {
            String m = o.containsKey("model") ? o.get("model").toString() : base.model();
            if (!m.equals("unet")) {
                throw new IllegalArgumentException("--posterior-blocks and --posterior-attention shape the unet"
                        + " posterior; the " + m + " posterior has a fixed structure: drop them or use --model unet");
            }
            if (posteriorBlocks != null) o.put("posterior_blocks", posteriorBlocks);
            if (posteriorAttention != null) o.put("posterior_attention", posteriorAttention);
        }
        if (reduction != null) {
            o.put("reduction", Reduction.parse(reduction).name().toLowerCase(Locale.ROOT));
            o.put("kl_reduction", Reduction.parse(reduction).name().toLowerCase(Locale.ROOT));
        }
        if (reconReduction != null) o.put("reduction", Reduction.parse(reconReduction).name().toLowerCase(Locale.ROOT));
        if (klReduction != null) o.put("kl_reduction", Reduction.parse(klReduction).name().toLowerCase(Locale.ROOT));
        if (hflip != null) o.put("hflip", hflip);
        if (checkpointEvery != null) o.put("checkpoint_every", checkpointEvery);
        if (sampleEvery != null) o.put("sample_every", sampleEvery);
        if (seed != null) o.put("seed", seed);
        if (sitConfig != null || patch != null) {
            String c = sitConfig != null ? sitConfig : base.sitConfig();
            if (patch != null) {
                if (patch < 1) throw new IllegalArgumentException("--patch must be >= 1, got " + patch);
                int slash = c.lastIndexOf('/');
                c = (slash < 0 ? c : c.substring(0, slash)) + "/" + patch;
            }
            o.put("sit_config", c);
        }
        if (classCond != null) o.put("class_cond", classCond);
        if (cfgDropout != null) o.put("cfg_dropout", cfgDropout);
        if (classCond != null && !classCond && cfgDropout == null) o.put("cfg_dropout", 0f);
        return base.with(o);
    }

    /** Reads a run's recipe.json (one-line errors naming the file). */
    static ImageRecipe readRecipe(Path run) throws java.io.IOException {
        Path file = run.resolve("recipe.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(run + " has no recipe.json (is it a train-image run folder?)");
        }
        try {
            return ImageRecipe.fromMap(ImageRuns.JSON.readValue(file.toFile(),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + e.getOriginalMessage().replaceAll("\\s+", " ")
                    + "); restore it or retrain");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        boolean resume = run.resuming();
        Path dir = run.directory(null);
        ImageRecipe stored = null;
        if (resume) {
            RunDirectory.prepare(dir, true, run.force);
            if (!Files.isRegularFile(dir.resolve("checkpoints").resolve("last.safetensors"))) {
                throw new IllegalArgumentException("--resume: " + dir + " has no checkpoints/last.safetensors yet"
                        + " (stopped before the first checkpoint); start it again without --resume");
            }
            stored = readRecipe(dir);
        } else if (dataset == null) {
            throw new IllegalArgumentException("train-image needs --dataset mnist|fashion-mnist|cifar10|latents:FILE (or --resume DIR)");
        }
        ImageRecipe r = recipe(stored);
        if (stored != null) {
            // cfm's two stages split at steps/2: a longer run would have trained differently
            RunSettings.requireSame(dir.resolve("recipe.json"), stored.toMap(), r.toMap(),
                    stored.method() == Method.CFM ? Set.of() : Set.of("steps"),
                    Set.of("checkpoint_every", "sample_every"));
        }
        long pixels = r.dataset().equals("cifar10") ? 3 * 32 * 32 : 28 * 28;
        Sizes.requireFits("--batch", r.batch(), pixels * r.width(), pixels * r.width() * BYTES_PER_ACTIVATION);
        Backend be = device.open();
        ImageSet data = ImageData.load(r.dataset(), dataDir, true);
        if (trainLimit != null) {
            if (trainLimit < 1) {
                throw new IllegalArgumentException("--train-limit must be >= 1, got " + trainLimit);
            }
            data = data.subset(Math.min(trainLimit, data.count()));
        }
        if (resume) {
            com.fasterxml.jackson.databind.JsonNode n = ImageRuns.JSON.readTree(dir.resolve("recipe.json").toFile())
                    .get(ImageRuns.TRAIN_IMAGES);
            if (n != null && n.asInt() != data.count()) {
                throw new IllegalArgumentException("--resume: the run trained on " + n.asInt() + " images, this"
                        + " command gives " + data.count() + " (--train-limit, or a different --data-dir); use the same"
                        + " data, or start a new run");
            }
        }
        if (dir == null) {
            dir = RunDirectory.defaultFor(r.dataset() + "-" + r.model() + "-" + r.method().key());
        }
        if (!resume) {
            RunDirectory.prepare(dir, false, run.force);
        }
        ImageRuns.train(be, data, r, dir, resume, r.method().key());
        System.out.println("train-image: done; run folder " + dir);
        return 0;
    }
}
