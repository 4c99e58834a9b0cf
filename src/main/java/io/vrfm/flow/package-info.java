/**
 * Variational rectified flow matching (Guo &amp; Schwing, ICML 2025) and its baselines.
 *
 * <ul>
 *   <li>{@link io.vrfm.flow.Interpolant}: {@code t ~ U(0,1)} per sample, {@code x_t = (1−t)x0 + t·x1}, target
 *       {@code x1 − x0} (one fused kernel).</li>
 *   <li>{@link io.vrfm.flow.FlowLosses}: RFM (MSE to {@code x1 − x0}); V-RFM (reconstruction + λ·KL, posterior on a
 *       configurable subset of {x0, x1, x_t, t}, one reparameterized {@code z} per sample); consistency FM
 *       (Yang et al. 2024; Δ = 1e-3, N = 2 segments, α = 1e-5, the reference code's two stages: boundary 0 for the
 *       first half of training, 0.9 after); OT-FM (the RFM loss on pairs re-matched within each batch by the exact
 *       optimal assignment, {@link io.vrfm.flow.MinibatchOtCoupling} over {@link io.vrfm.flow.LinearAssignment}).
 *       Reduction: {@link io.vrfm.flow.LossReduction}, one {@link io.vrfm.flow.Reduction} for the reconstruction
 *       and one for the KL (KL summed over latent dimensions by default; reconstruction summed per sample in the
 *       synthetic recipes, averaged over elements in the image recipes).</li>
 *   <li>{@link io.vrfm.flow.Sampler}: samplers as values — {@code euler(steps)} (fused step), {@code heun(steps)},
 *       adaptive {@code dopri5(rtol, atol)} with NFE, and {@code eulerMaruyama(steps, ε)} ({@code w(t) = ε(1−t)},
 *       final mean step; standard normal sources only); the integrators are in {@link io.vrfm.flow.Samplers}. V-RFM
 *       draws {@code z ~ N(0, I)} once per trajectory and holds it through every step and stage.</li>
 *   <li>{@link io.vrfm.flow.Likelihood}: log-likelihood by the instantaneous change of variables, RK4 backward in
 *       time, exact divergence for dim ≤ 2, Hutchinson (Rademacher) above; V-RFM at a fixed {@code z}.</li>
 *   <li>{@link io.vrfm.flow.FlowTrainer}: trains any velocity field (+ posterior for V-RFM) on a
 *       {@link io.vrfm.flow.PairSource} with AdamW, optional warm-up, clipping, EMA and periodic checkpoints; stops
 *       with {@link io.vrfm.flow.NonFiniteLossException} at the first non-finite loss or gradient; per-step random
 *       streams derived from (seed, step), so resuming from a checkpoint is exact.</li>
 *   <li>{@link io.vrfm.flow.Trainer} / {@link io.vrfm.flow.TrainConfig}: the paper's synthetic-task recipe over
 *       FlowTrainer (AdamW 1e-3 with PyTorch's default decay 0.01, batch 1000, 20k iterations, λ 1.0 / 0.1, latent
 *       4 / 8); {@link io.vrfm.flow.ImageTrainer} / {@link io.vrfm.flow.ImageRecipe}: the image recipes.</li>
 * </ul>
 */
package io.vrfm.flow;
