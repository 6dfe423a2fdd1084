"""English strings of VAE Lab (keys must match :mod:`vaelab.i18n.strings_fr`)."""

EN: dict[str, str] = {
    # --- shell: navigation, sidebar, train page, architecture panel (helper A) ---
    "app.title": "VAE Lab",
    "sidebar.language": "Language",
    "nav.train": "Train",
    "nav.results": "Results",
    "nav.runs": "Runs",
    "nav.compare": "Compare",
    "nav.learn": "Learn",
    "sidebar.title": "Hyperparameters",
    "sidebar.model": "Model",
    "sidebar.model_help": "VAE: the original model (β = 1). β-VAE: weighs the KL term by β. "
    "σ-VAE: learns the decoder's noise scale σ, which sets the balance for you.",
    "sidebar.dataset": "Dataset",
    "sidebar.dataset_help": "The images to learn from. MNIST 5k works offline; the others are "
    "downloaded the first time (MNIST falls back to MNIST 5k when offline).",
    "dataset.mnist": "MNIST",
    "dataset.mnist-5k": "MNIST 5k (offline)",
    "dataset.fashion-mnist": "Fashion-MNIST",
    "dataset.cifar10": "CIFAR-10",
    "dataset.own": "My own images…",
    "sidebar.own_path": "Folder of images or .npz file",
    "sidebar.own_path_placeholder": "/home/me/pictures or digits.npz",
    "sidebar.own_path_help": "A folder of PNG/JPEG images (one sub-folder per class if you have "
    "labels), or a .npz saved with numpy.savez(path, x=images, y=labels).",
    "sidebar.own_upload": "…or upload a .npz file",
    "sidebar.own_upload_help": "The file is kept in the data folder, named by its content.",
    "sidebar.image_size": "Image size",
    "sidebar.image_size_auto": "automatic",
    "sidebar.image_size_help": "Side your images are centre-cropped and resized to. Automatic: "
    "32×32 for a folder, unchanged for a .npz.",
    "sidebar.latent": "Latent dimension",
    "sidebar.latent_help": "Size of the code z. Small (2–8): a visible, compressed map; "
    "large: sharper reconstructions.",
    "sidebar.hidden": "Hidden convolutional layers",
    "sidebar.hidden_help": "Channels of the encoder's stride-2 convolutions, in the order "
    "picked (1 to 5 layers); the decoder mirrors them.",
    "sidebar.hidden_none": "Pick at least one layer; using {default} meanwhile.",
    "sidebar.hidden_too_many": "{n} layers picked: at most {max} are allowed, so only the first "
    "{max} are used.",
    "sidebar.hidden_order": "Encoder channels: {order}",
    "sidebar.likelihood": "Reconstruction error",
    "sidebar.likelihood_help.vae": "How a reconstruction is compared with its image: squared "
    "error (MSE), absolute error (L1), binary cross-entropy (Bernoulli, for black-and-white "
    "pixels) or the continuous Bernoulli, the cross-entropy made a density for grey levels.",
    "sidebar.likelihood_help.beta-vae": "How a reconstruction is compared with its image: "
    "squared error (MSE), absolute error (L1), binary cross-entropy (Bernoulli, for "
    "black-and-white pixels) or the continuous Bernoulli, the cross-entropy made a density for "
    "grey levels.",
    "sidebar.likelihood_help.sigma-vae": "The decoder's distribution: Gaussian (squared error "
    "scaled by σ) or Laplace (absolute error scaled by b), or a Gaussian or logistic discretised "
    "on the 256 pixel levels: a probability of the 8-bit image, as papers report it.",
    "likelihood.mse": "MSE (squared error)",
    "likelihood.l1": "L1 (absolute error)",
    "likelihood.bernoulli": "Bernoulli (cross-entropy)",
    "likelihood.continuous-bernoulli": "Continuous Bernoulli",
    "likelihood.gaussian": "Gaussian log-likelihood",
    "likelihood.laplace": "Laplace log-likelihood",
    "likelihood.discretized-gaussian": "Discretised Gaussian (256 levels)",
    "likelihood.discretized-logistic": "Discretised logistic (256 levels)",
    "sidebar.scale": "Decoder scale σ",
    "sidebar.scale_help": "Optimal: σ² is set to the current MSE at each step (the σ-VAE "
    "paper's choice). Learned: σ is one more parameter trained by gradient descent.",
    "scale.optimal": "optimal",
    "scale.learned": "learned",
    "sidebar.beta_fixed": "β = 1 for the original VAE: pick the β-VAE or σ-VAE to change it.",
    "sidebar.beta": "β (weight of the KL term)",
    "sidebar.beta_help.beta-vae": "β > 1 favours a disentangled, smoother latent space; β < 1 "
    "favours sharper reconstructions.",
    "sidebar.beta_help.sigma-vae": "Keep 1: the learned σ already balances both terms. Values "
    "down to 1e-5 reproduce the σ-VAE paper's comparisons.",
    "sidebar.batch": "Batch size",
    "sidebar.batch_help": "Images per optimisation step.",
    "sidebar.epochs": "Epochs",
    "sidebar.epochs_help": "Passes over the training set. A cached run with fewer epochs is "
    "continued, not restarted.",
    "sidebar.advanced": "Advanced",
    "sidebar.lr": "Learning rate",
    "sidebar.lr_help": "Step size of the Adam optimiser.",
    "sidebar.seed": "Seed",
    "sidebar.seed_help": "Fixes the initial weights, the batch order and the noise: the same "
    "seed gives the same run.",
    "sidebar.device": "Device",
    "sidebar.device_help": "Where to train. Automatic: the GPU if there is one, else the CPU.",
    "device.auto": "automatic",
    "device.cpu": "CPU",
    "device.cuda": "GPU (CUDA)",
    "device.mps": "Apple GPU (MPS)",
    "sidebar.own_path_missing": "Give the path of your images, or upload a .npz file.",
    "sidebar.loading": "Loading {name}…",
    "sidebar.dataset_unavailable": "{name} is not on this computer and cannot be downloaded "
    "(no internet?). Choose MNIST 5k, which works offline, or fetch it on a connected machine "
    "with `vaelab datasets fetch {id}` and copy its data folder to {folder}.",
    "sidebar.dataset_error": "These images cannot be used: {reason}",
    "sidebar.invalid": "Invalid setting: {reason}",
    "arch.unavailable": "The architecture appears once the dataset is known.",
    "arch.title": "Architecture: {variant}, {params} parameters",
    "arch.loss_heading": "**Loss minimised, per image**",
    "arch.loss_caption.vae": "Reconstruction error plus the KL divergence between q(z|x) and "
    "the prior: the negative ELBO. D = {d} pixel values, z has {latent} dimensions.",
    "arch.loss_caption.beta-vae": "β weighs the KL term: above 1 it pushes the codes towards "
    "the prior, below 1 it favours reconstruction. D = {d} pixel values, z has {latent} "
    "dimensions.",
    "arch.loss_caption.sigma-vae": "A calibrated decoder: σ measures how wrong the "
    "reconstructions are, so the two terms balance themselves. D = {d} pixel values, z has "
    "{latent} dimensions.",
    "arch.layers_heading": "**Layers and output shapes**",
    "arch.layer": "Layer",
    "arch.shape": "Output shape",
    "train.title": "Train a VAE",
    "train.intro": "Pick the hyperparameters in the sidebar, press Train and watch the model "
    "learn. Runs are saved: the same settings reload at once.",
    "train.offline_notice": "{requested} cannot be downloaded (no internet?), so the built-in "
    "{used} sample is used instead: {n} real digits.",
    "train.fix_settings": "Fix the settings in the sidebar to train.",
    "train.run_label": "{variant} on {dataset}, z = {latent}, layers {layers}",
    "train.dataset_none": "No dataset loaded.",
    "train.dataset_size": "{train} training and {test} test images of {shape} pixels",
    "train.dataset_classes": "{n} classes: {names}",
    "train.dataset_unlabelled": "No labels",
    "train.dataset_local": "Available on this computer.",
    "train.dataset_download": "Not on this computer yet: it is downloaded when loaded.",
    "train.run_broken": "The saved run cannot be read: {reason}. Retrain it from scratch.",
    "train.new_run": "Not trained yet: {epochs} to go.",
    "train.train": "Train",
    "train.partial": "Found in the cache, trained for {done}: training continues from there "
    "up to {target}.",
    "train.continue_to": "Continue up to {target}",
    "train.cached": "Loaded from the cache: already trained for {done}.",
    "train.extra_epochs": "More epochs",
    "train.extra_epochs_help": "Epochs to add to the saved run.",
    "train.continue": "Continue",
    "train.retrain": "Retrain from scratch",
    "train.training": "Training **{run}**",
    "train.queued": "Waiting for another training to finish ({ahead} ahead of this one). "
    "Nothing is lost: it starts by itself.",
    "train.starting": "Starting…",
    "train.progress": "Epoch {epoch}/{epochs} · step {step}/{steps} · {speed} images/s · "
    "{eta} left",
    "train.stop": "Stop",
    "train.stopping": "Stopping after the current step; what was learned is saved.",
    "metric.loss": "Total loss",
    "metric.recon": "Reconstruction",
    "metric.kl": "KL",
    "metric.sigma": "σ (decoder scale)",
    "train.curves_caption": "Horizontal axis: epochs. Blue: training loss at each step; red: "
    "test loss after each epoch (nats per image).",
    "train.train_loss": "train",
    "train.test_loss": "test",
    "train.recon_caption": "Test images (top) and their reconstructions (bottom); epochs "
    "trained: {epoch}",
    "train.failed": "Training failed: {reason}",
    "train.cancelled": "Training cancelled before it started.",
    "train.stopped": "Stopped after {done} and part of the next one. Everything learned is "
    "saved: continue whenever you like.",
    "train.complete": "Training complete: {done} in {time}.",
    "unit.epoch": "{n} epoch",
    "unit.epochs": "{n} epochs",
    "arch.node.input": "input x",
    "arch.node.conv": "conv {i}",
    "arch.node.deconv": "deconv {i}",
    "arch.node.linear": "linear",
    "arch.node.output": "output x̂",
    "train.results": "Results",
    # --- end shell ---
    # --- learn page (helper B) ---
    "learn.title": "Learn: the ideas behind VAE Lab",
    "learn.subtitle": "From the autoencoder to the σ-VAE: what the models on the Train page "
    "optimise, and why.",
    "learn.text_missing": "The teaching text could not be read ({error}).",
    "learn.figure_failed": "This figure could not be drawn ({error}).",
    "learn.fig.latent.caption": "Synthetic illustration. An autoencoder maps each image to one "
    "point, wherever it likes; a VAE maps it to a Gaussian q(z|x), and the KL term packs these "
    "Gaussians inside the prior, so every point drawn from the prior decodes to something.",
    "learn.fig.latent.ae_title": "Autoencoder: one point per image",
    "learn.fig.latent.vae_title": "VAE: one Gaussian q(z|x) per image",
    "learn.fig.latent.hole": "a hole: decoding\nhere gives nonsense",
    "learn.fig.latent.prior": "prior p(z): 1σ and 2σ",
    "learn.fig.kl.caption": "Left: three posteriors q against the prior N(0, 1), with their KL. "
    "Right: the closed-form KL over (μ, σ); moving the mean away or shrinking σ both cost nats.",
    "learn.fig.kl.density": "density",
    "learn.fig.kl.pdf_title": "Posteriors q(z|x) and prior p(z)",
    "learn.fig.kl.map_title": "KL(q ‖ p) as μ and σ vary",
    "learn.fig.kl.minimum": "KL = 0 only at\nμ = 0, σ = 1",
    "learn.fig.kl.nats": "KL (nats)",
    "learn.fig.reparameterization.caption": "Black arrows: the forward pass; red dashed arrows: "
    "the gradient of the loss. Sampling z directly cuts the gradient path to the encoder; writing "
    "z = μ + σ⊙ε moves the randomness into an input ε and leaves a differentiable path.",
    "learn.fig.reparameterization.without": "Without the trick",
    "learn.fig.reparameterization.with": "With the reparameterization trick",
    "learn.fig.reparameterization.encoder": "encoder φ",
    "learn.fig.reparameterization.decoder": "decoder θ",
    "learn.fig.reparameterization.blocked": "no gradient\nthrough sampling",
    "learn.fig.reparameterization.forward": "forward pass",
    "learn.fig.reparameterization.backward": "gradient (backward pass)",
    "learn.fig.calibration.caption": "Per-pixel negative log-likelihood as a function of the "
    "decoder scale, for three reconstruction errors. Each Gaussian curve is lowest at "
    "σ = √MSE (the RMSE), each Laplace curve at b = MAE. The dotted line is the σ-VAE's soft "
    "clip, log σ ≥ −6.",
    "learn.fig.calibration.gauss_title": "Gaussian decoder",
    "learn.fig.calibration.laplace_title": "Laplace decoder",
    "learn.fig.calibration.scale_axis": "(decoder scale, log axis)",
    "learn.fig.calibration.nll_axis": "NLL (nats per pixel)",
    "learn.fig.calibration.clip": "soft clip\nlog σ = −6",
    "learn.fig.timeline.caption": "Each model sits at the date of its first public version "
    "(arXiv or conference). Filled boxes: the three models VAE Lab implements.",
    "learn.fig.timeline.title": "Deep generative models for images, 2013–2020",
    "learn.fig.timeline.vae": "variational autoencoders",
    "learn.fig.timeline.gan": "adversarial networks (GANs)",
    "learn.fig.timeline.autoregressive": "autoregressive models",
    "learn.fig.timeline.diffusion": "diffusion models",
    "learn.fig.timeline.in_app": "filled: implemented in VAE Lab",
    "learn.fig.reparameterization.deterministic": "deterministic node",
    "learn.fig.reparameterization.random": "random node",
    # --- end learn ---
    # --- results tabs and runs page (helper C) ---
    "results.tab.curves": "Loss curves",
    "results.tab.reconstructions": "Reconstructions",
    "results.tab.samples": "Samples",
    "results.tab.latent": "Latent space",
    "results.tab.paths": "Interpolation",
    "results.tab.kl": "KL per dimension",
    "results.tab.upload": "Your own image",
    "results.tab.downloads": "Downloads",
    "results.summary": "**{model}** on {dataset} · latent dimension {latent} · epochs: {epochs}",
    "results.no_data": "The images this run was trained on are not loaded, so this tab is empty.",
    "results.download_png": "Download PNG",
    "results.curves.empty": "No finished epoch yet: the curves appear after the first epoch.",
    "results.curves.caption": "Solid: training set (mean over the epoch). Dashed: test set "
    "(measured after the epoch). In nats per image: lower is better.",
    "results.recon.caption": "Top: test images. Bottom: their reconstructions, decoded from the "
    "posterior mean μ.",
    "results.samples.caption": "49 images decoded from z ~ N(0, T² I), T being the temperature "
    "(draw no. {seed}).",
    "results.samples.temperature": "Temperature T",
    "results.samples.temperature_help": "Scales the prior's standard deviation. Below 1: cleaner "
    "but less varied samples; above 1: more varied and noisier ones.",
    "results.samples.resample": "Resample",
    "results.latent.caption_latent": "{n} test images encoded to their posterior mean μ. The "
    "latent space has 2 dimensions: these are its two coordinates.",
    "results.latent.caption_pca": "{n} test images encoded to their posterior mean μ ({d} "
    "dimensions), projected onto its first two principal components ({pct} % of the variance).",
    "results.latent.manifold": "Decoded manifold",
    "results.latent.manifold_caption": "What the decoder draws on a 15 × 15 grid of z, evenly "
    "spaced in probability under the prior N(0, I) (Kingma & Welling 2014, figure 4).",
    "results.latent.no_manifold": "The decoded manifold needs a 2-D latent space: train with "
    "latent dimension 2 to see it.",
    "results.interp.header": "Interpolation between two test images",
    "results.interp.image_a": "Image A (test image no.)",
    "results.interp.image_b": "Image B (test image no.)",
    "results.interp.label": "Class {label}",
    "results.interp.steps": "Steps",
    "results.interp.method": "Path",
    "results.interp.linear": "Straight line",
    "results.interp.slerp": "Great circle (slerp)",
    "results.interp.method_help": "Straight line between μ_A and μ_B, or a great-circle arc, "
    "which keeps ‖z‖ near the typical norm of prior draws (White 2016).",
    "results.interp.caption": "From the reconstruction of A (left) to that of B (right).",
    "results.trav.header": "Traversals of single latent dimensions",
    "results.trav.dims": "Dimensions (most used first)",
    "results.trav.dims_help": "Dimensions are listed by decreasing KL: the first ones carry the "
    "most information.",
    "results.trav.span": "Range ±",
    "results.trav.origin": "Start from",
    "results.trav.from_image": "the code of image A",
    "results.trav.from_prior": "the centre of the prior (z = 0)",
    "results.trav.caption": "Each row moves one dimension from −{span} to +{span} and keeps the "
    "others fixed. Rows, top to bottom: dimensions {dims}.",
    "results.trav.pick": "Pick at least one dimension.",
    "results.kl.active": "Active dimensions",
    "results.kl.total": "Total KL (nats per image)",
    "results.kl.explain": "Each bar is the KL divergence between q(z_d | x) and the prior "
    "N(0, 1) for one latent dimension d, averaged over the test images; the bars add up to the KL "
    "term of the loss. A dimension whose posterior mean does not change from image to image "
    "carries no information: it is **inactive** (Burda et al. 2016 count a dimension as active "
    "when the variance of its posterior mean over the data exceeds 0.01). Raising β in a β-VAE "
    "makes the KL term more expensive, so the model switches dimensions off and keeps only the "
    "most useful ones (Higgins et al. 2017).",
    "results.upload.label": "Upload an image",
    "results.upload.help": "PNG, JPEG, GIF, BMP, WebP or TIFF, up to 20 MB. It is converted to "
    "{channels}, centre-cropped and resized to {height} × {width} pixels.",
    "results.upload.grey": "grey levels",
    "results.upload.colour": "colour",
    "results.upload.prompt": "Upload a picture to see how the model encodes and reconstructs it, "
    "and where it lands on the latent map.",
    "results.upload.invert": "Invert the colours",
    "results.upload.invert_help": "MNIST digits are white on black; a digit written on paper is "
    "dark on white. Inverting makes it look like the training images.",
    "results.upload.input": "Your image, as the model sees it",
    "results.upload.reconstruction": "Its reconstruction",
    "results.upload.map": "Where it lands on the latent map (the star)",
    "results.upload.error.empty": "The file is empty.",
    "results.upload.error.file-too-large": "The file is {size_mb} MB; images up to {limit_mb} MB "
    "are accepted.",
    "results.upload.error.not-image": "This file is not an image (PNG, JPEG, GIF, BMP, WebP… are "
    "accepted).",
    "results.upload.error.too-many-pixels": "The image is {width} × {height} pixels ({megapixels} "
    "megapixels); images up to {limit} megapixels are accepted.",
    "results.upload.error.damaged": "The image is damaged or truncated and cannot be read.",
    "results.download.run_header": "The run",
    "results.download.run": "Download the run (.zip)",
    "results.download.run_help": "Its configuration, weights (safetensors) and history, in one "
    "archive.",
    "results.download.unsaved": "This run is not in the runs folder, so it cannot be downloaded.",
    "results.download.figures": "Figures",
    "results.figure.curves": "Loss curves",
    "results.figure.reconstructions": "Reconstructions",
    "results.figure.samples": "Samples",
    "results.figure.latent": "Latent map",
    "results.figure.manifold": "Decoded manifold",
    "results.figure.kl": "KL per dimension",
    "results.page.title": "Results",
    "results.page.pick": "Run",
    "results.page.none": "No trained run yet. Train one on the Train page and it will show here.",
    "results.page.load_error": "This run cannot be opened: {error}",
    "results.page.data_missing": "The images of {dataset} are not available on this machine "
    "({error}); only the curves and the samples are shown.",
    "results.page.data_changed": "The images of {dataset} differ from those this run was trained "
    "on; the tabs that use the test images are left empty.",
    "runs.title": "Runs",
    "runs.intro": "Every trained run is saved in `{folder}`. Open one to explore it, compare "
    "several, download or delete them.",
    "runs.empty": "No run is saved in `{folder}` yet: train one on the Train page.",
    "runs.col.run": "Run",
    "runs.col.model": "Model",
    "runs.col.dataset": "Dataset",
    "runs.col.latent": "Latent dim.",
    "runs.col.hidden": "Conv. layers",
    "runs.col.likelihood": "Reconstruction",
    "runs.col.beta": "β",
    "runs.col.epochs": "Epochs",
    "runs.col.status": "Status",
    "runs.col.loss": "Test loss",
    "runs.col.kl": "Test KL",
    "runs.col.mse": "Test MSE",
    "runs.col.updated": "Saved",
    "runs.col.error": "Problem",
    "runs.status.complete": "complete",
    "runs.status.stopped": "stopped",
    "runs.status.broken": "broken",
    "runs.status.foreign": "not a run",
    "runs.foreign": "Folders that are not runs (no run.json): {n}. VAE Lab leaves them alone and "
    "never deletes them.",
    "runs.broken": "Runs that cannot be used: {n}. The table says why; delete them to tidy up.",
    "runs.select": "Run",
    "runs.open": "Open",
    "runs.download": "Download (.zip)",
    "runs.delete": "Delete",
    "runs.delete_confirm": "Delete {run} for good? Its weights and history will be lost.",
    "runs.delete_yes": "Yes, delete",
    "runs.delete_no": "Cancel",
    "runs.deleted": "Deleted {run}.",
    "runs.delete_error": "Cannot delete the run: {error}",
    "runs.open_fallback": "Run selected: open the Results page to explore it.",
    "runs.compare.header": "Compare runs",
    "runs.compare.pick": "Runs to compare",
    "runs.compare.hint": "Pick two runs or more to compare their curves and samples.",
    "runs.compare.caption": "Test-set curves. Models with different reconstruction terms have "
    "losses on different scales; the MSE per pixel compares any two runs.",
    "runs.compare.samples": "Samples of each run (same draws of z when the latent sizes agree)",
    "runs.compare.load_error": "{run} cannot be opened: {error}",
    "plot.epoch": "Epoch",
    "plot.step": "Step",
    "plot.train": "train",
    "plot.test": "test",
    "plot.loss": "Total loss (nats per image)",
    "plot.recon": "Reconstruction (nats per image)",
    "plot.kl": "KL divergence (nats per image)",
    "plot.sigma": "Decoder σ",
    "plot.mse": "MSE per pixel",
    "plot.latent_dim": "Latent dimension",
    "plot.kl_per_dim": "Mean KL (nats)",
    "plot.active": "active ({n})",
    "plot.inactive": "inactive ({n})",
    "plot.latent_axis": "z{i}",
    "plot.pc_axis": "PC {i} ({pct} % of the variance)",
    "plot.images": "test images",
    "plot.your_image": "your image",
    "plot.class": "Class",
    "runs.compare.placeholder": "Choose runs",
    "results.trav.placeholder": "Choose dimensions",
    # --- end results ---
    # --- compare page and metrics tab ---
    "compare.title": "Compare: the σ-VAE experiment",
    "compare.intro": "Rybkin et al. (2020) trained one network in several ways: a **Gaussian "
    "VAE** with σ = 1 (here also the **MSE VAE**, the squared error, σ² = ½), **β-VAEs** for β "
    "from 0.1 down to 0.00001, and a **σ-VAE** whose "
    "decoder σ is set to its optimal value. They report that the σ-VAE, trained once, does as "
    "well as the best β, which took a whole sweep to find. This page repeats that experiment, with "
    "the same network, seed and epochs for every model, measures each one on the test images and "
    "says what the numbers show here, whatever they show. Runs already in "
    "the cache are reused: the models you trained before cost nothing, and a stopped comparison "
    "continues where it stopped.",
    "compare.betas": "β of the β-VAE rows",
    "compare.betas_help": "One β-VAE is trained for each β picked. With the squared error, β "
    "plays the part of 2σ²: each β is a guess of the decoder's noise.",
    "compare.betas_none": "Pick at least one β: the comparison needs a β-VAE.",
    "compare.hidden_none": "Pick at least one convolutional layer.",
    "compare.iwae_k": "IWAE samples per image (k)",
    "compare.iwae_k_help": "Importance samples of the IWAE bound (Burda et al. 2016): more give "
    "a tighter but slower estimate of −log p(x).",
    "compare.iwae_images": "Test images for the likelihood bounds",
    "compare.iwae_images_help": "The ELBO and the IWAE bound are computed on the same first test "
    "images (all of them if fewer); 0 skips the IWAE bound, and the ELBO then uses every test "
    "image.",
    "compare.fd_images": "Images for the FD",
    "compare.fd_images_help": "Samples and test images compared by the Fréchet distance in the "
    "features of a small classifier trained on the dataset (not an FID); 0 skips it.",
    "compare.plan": "{total} models share this network. Already in the cache: {cached} (reused "
    "at no cost); to train: {todo}.",
    "compare.start": "Start the comparison",
    "compare.running": "Comparing **{n} models** on {dataset}",
    "compare.classifier": "Training the classifier whose features the FD uses (once per dataset)…",
    "compare.progress": "Model {index}/{total}: {model}",
    "compare.phase.train": "training, epoch {epoch}/{epochs}",
    "compare.phase.evaluate": "measuring: {stage}",
    "compare.phase.done": "drawing samples",
    "compare.phase.prepare": "preparing",
    "compare.elapsed": "{time} elapsed",
    "compare.eta": "about {time} left",
    "compare.state.pending": "waiting",
    "compare.state.train": "training ({percent} %)",
    "compare.state.evaluate": "measuring ({percent} %)",
    "compare.state.done": "done in {time}",
    "compare.state.cached": "reused from the cache",
    "compare.stopping": "Stopping after the current step; the model in training is saved.",
    "compare.failed": "The comparison failed: {reason}",
    "compare.cancelled": "Comparison cancelled before it started.",
    "compare.result.header": "Last comparison",
    "compare.result.summary": "{dataset} · z = {latent} · layers {layers} · epochs: {epochs} · "
    "seed {seed}",
    "compare.result.complete": "Comparison complete in {time}: {trained} models trained, "
    "{cached} reused from the cache.",
    "compare.result.stopped": "Stopped after {done} of {total} models, in {time}. The finished "
    "models and the one in training are saved: start again with the same settings to continue.",
    "compare.figure.header": "Samples",
    "compare.figure.caption": "Each row decodes the same {n} draws of z ~ N(0, I) with one model "
    "(the figure of the σ-VAE paper): the differences between rows are the models'.",
    "compare.table.header": "Metrics",
    "compare.table.caption": "↓ lower is better, ↑ higher is better; the best value of each "
    "column is highlighted. Bits/dim are −log₂ of the probability of the 8-bit test images under "
    "a Gaussian decoder whose σ is fitted on the training set after training, discretised on the "
    "256 levels as in papers: one yardstick for every loss. That σ is the training RMSE, so the "
    "bits/dim and the PSNR both follow from the reconstruction error: they are not independent "
    "evidence. FD: Fréchet distance in the features of a small classifier trained on the "
    "dataset (not an FID).",
    "compare.table.empty": "No model was measured yet.",
    "compare.findings.header": "What the numbers show",
    "compare.findings.none": "The findings need the Gaussian VAE, a β-VAE and the σ-VAE, all "
    "measured.",
    "compare.download.png": "Figure (PNG)",
    "compare.download.csv": "Table (CSV)",
    "compare.download.md": "Report (Markdown)",
    "compare.row.gaussian-vae": "Gaussian VAE",
    "compare.row.mse-vae": "MSE VAE",
    "compare.row.beta-vae": "β-VAE, β = {beta}",
    "compare.row.sigma-vae": "σ-VAE",
    # The table's own columns; "compare.col.<metric>" title the metric columns.
    "compare.table.model": "Model",
    "compare.table.epochs": "Epochs",
    "compare.col.iwae_bits_per_dim": "IWAE bits/dim",
    "compare.col.elbo_bits_per_dim": "ELBO bits/dim",
    "compare.col.recon_psnr_db": "PSNR (dB)",
    "compare.col.fd_classifier_features": "FD (classifier features)",
    "compare.col.test_kl": "KL (nats)",
    "compare.col.active_units": "active units",
    "compare.col.calibrated_sigma": "calibrated σ",
    # What the numbers of a comparison show (vaelab.compare.describe); the CLI writes them too.
    "compare.finding.ranking": "On {metric}, the best model is the {best}; the σ-VAE ranks "
    "{rank} of {rows}.",
    "compare.finding.versus_beta": "The σ-VAE, trained once with β = 1, scores {sigma_value} "
    "against {best_beta_value} for the best β-VAE (β = {best_beta}), found by training one "
    "β-VAE per β tried: {betas}.",
    "compare.finding.paired_difference": "On the same {images} test images, image by image, the "
    "σ-VAE minus the best β-VAE is {difference} {metric}, with a standard error of "
    "{standard_error}.",
    "compare.finding.versus_gaussian": "The Gaussian VAE (σ = 1) scores {gaussian_value}.",
    "compare.finding.implied_beta": "The σ-VAE's optimal σ is {sigma}: for a β-VAE with the "
    "squared error, that is β = 2σ² = {implied_beta}.",
    "compare.finding.not_independent": "The {metric} and the {psnr} are not independent "
    "evidence: the decoder's σ is fitted to the reconstruction error, so both follow from it.",
    "metrics.stage.calibrate": "fitting σ on the training set",
    "metrics.stage.test": "ELBO on the test set",
    "metrics.stage.iwae": "IWAE bound",
    "metrics.stage.samples": "sample quality (FD)",
    "results.tab.metrics": "Metrics",
    "results.metrics.none": "Not measured yet. Measuring takes from a few seconds to a minute "
    "or two on a CPU, and the result is saved with the run.",
    "results.metrics.measure": "Measure",
    "results.metrics.remeasure": "Measure again",
    "results.metrics.measure_help": "Likelihood bounds (ELBO, and IWAE with k = {k}, on the "
    "first {images} test images), reconstructions, active units and the FD of {fd} samples.",
    "results.metrics.starting": "Starting…",
    "results.metrics.measuring": "Measuring: {stage}…",
    "results.metrics.no_data": "The images of this run are not loaded, so it cannot be measured "
    "here.",
    "results.metrics.unsaved": "This run is not in the runs folder, so its metrics cannot be "
    "saved.",
    "results.metrics.changed": "The run was saved again while it was measured (trained "
    "further?): measure it again.",
    "results.metrics.failed": "Measuring failed: {reason}",
    "results.metrics.col.metric": "Metric",
    "results.metrics.col.value": "Value",
    "results.metrics.col.better": "Better",
    "results.metrics.col.meaning": "What it measures",
    "results.metrics.lower": "↓ lower",
    "results.metrics.higher": "↑ higher",
    "results.metrics.caption": "Seed {seed}; the ELBO and the IWAE bound (k = {k}) on the same "
    "first {images} of the {n_test} test images, ± one standard error over those images. Nats "
    "are per image, summed over its {pixels} pixel values; bits/dim are of the probability of "
    "the 8-bit pixels, as papers report them. The bits/dim and the PSNR both follow from the "
    "reconstruction error (σ is fitted to it): they are not independent evidence.",
    "results.metrics.stale": "These metrics were measured by an earlier version of VAE Lab, "
    "whose bits/dim were those of a density and not comparable with papers: measure again.",
    "results.metrics.fd_reference": "FD on {n} samples; training images against the same test "
    "images give {fd}, what a perfect model would get.",
    "results.metrics.fd_missing": "No FD: {reason}.",
    "results.metrics.download": "Download metrics.json",
    "metrics.name.iwae_bits_per_dim": "IWAE bits/dim",
    "metrics.help.iwae_bits_per_dim": "−log₂ P(x) per pixel value, estimated with k importance "
    "samples per image (Burda et al. 2016), under a Gaussian decoder whose σ is fitted on the "
    "training set, discretised on the 256 levels (the lowest and highest take the tails): a "
    "probability of the 8-bit image, in the unit of the likelihood tables of papers, and the "
    "tightest bound here. One yardstick for every loss; mostly a function of the reconstruction "
    "error, to which σ is fitted.",
    "metrics.name.elbo_bits_per_dim": "ELBO bits/dim",
    "metrics.help.elbo_bits_per_dim": "The negative ELBO in bits per pixel value under the same "
    "discretised Gaussian decoder: a looser bound than the IWAE one.",
    "metrics.name.model_iwae_bits_per_dim": "IWAE bits/dim (σ-VAE's own scale)",
    "metrics.help.model_iwae_bits_per_dim": "The IWAE bits/dim with the σ-VAE's own law and "
    "scale (learned, or optimal on the training set), discretised on the 256 levels.",
    "metrics.name.model_elbo_bits_per_dim": "ELBO bits/dim (σ-VAE's own scale)",
    "metrics.help.model_elbo_bits_per_dim": "The ELBO bits/dim with the σ-VAE's own law and "
    "scale, discretised on the 256 levels.",
    "metrics.name.discrete_iwae_nll": "IWAE bound, discrete (nats)",
    "metrics.help.discrete_iwae_nll": "The IWAE bits/dim in nats per image: −log P(x) of the "
    "8-bit image.",
    "metrics.name.discrete_neg_elbo": "Negative ELBO, discrete (nats)",
    "metrics.help.discrete_neg_elbo": "The ELBO bits/dim in nats per image.",
    "metrics.name.test_neg_elbo": "Negative ELBO (nats)",
    "metrics.help.test_neg_elbo": "The loss of a VAE with β = 1 under the model's own "
    "likelihood, on the test images: reconstruction + KL. An upper bound on −log p(x), "
    "comparable only between models with the same likelihood; for the Bernoulli cross-entropy of "
    "grey pixels, not a likelihood at all.",
    "metrics.name.test_recon": "Reconstruction term (nats)",
    "metrics.help.test_recon": "−log p(x | z) under the model's own decoder, one z drawn from "
    "q(z | x) per test image.",
    "metrics.name.test_kl": "KL term (nats)",
    "metrics.help.test_kl": "KL(q(z | x) ‖ p(z)) averaged over the test images: how much the "
    "code tells about the image.",
    "metrics.name.calibrated_neg_elbo": "Negative ELBO, continuous density (nats)",
    "metrics.help.calibrated_neg_elbo": "The negative ELBO under the calibrated Gaussian as a "
    "density over [0, 1] rather than a probability of the 256 levels: a continuous density, not "
    "comparable with papers.",
    "metrics.name.iwae_nll": "IWAE bound (nats)",
    "metrics.help.iwae_nll": "Importance-weighted estimate of −log p(x) with k samples per image "
    "(Burda et al. 2016) under the model's own likelihood; tighter than the negative ELBO.",
    "metrics.name.iwae_nll_calibrated": "IWAE bound, continuous density (nats)",
    "metrics.help.iwae_nll_calibrated": "The IWAE bound under the calibrated Gaussian as a "
    "density over [0, 1]: a continuous density, not comparable with papers.",
    "metrics.name.recon_mse": "Reconstruction MSE (per pixel)",
    "metrics.help.recon_mse": "Mean squared error between the test images and their "
    "reconstructions from the posterior mean μ, pixels in [0, 1].",
    "metrics.name.recon_psnr_db": "PSNR (dB)",
    "metrics.help.recon_psnr_db": "Peak signal-to-noise ratio of those reconstructions, "
    "10 log₁₀(1 / MSE): higher is sharper.",
    "metrics.name.active_units": "Active units",
    "metrics.help.active_units": "Latent dimensions whose posterior mean changes from image to "
    "image (variance above 0.01, Burda et al. 2016); the others carry no information.",
    "metrics.name.calibrated_sigma": "Calibrated σ",
    "metrics.help.calibrated_sigma": "σ of the calibrated Gaussian decoder: the root mean "
    "squared reconstruction error on the training set.",
    "metrics.name.model_scale": "Decoder σ (σ-VAE)",
    "metrics.help.model_scale": "The σ-VAE's own scale: learned, or for the optimal σ the value "
    "that fits the test images best.",
    "metrics.name.fd_classifier_features": "FD (classifier features)",
    "metrics.help.fd_classifier_features": "Fréchet distance between samples and test images in "
    "the features of a small classifier trained on the dataset. It measures sample quality as "
    "FID does, but it is not an FID: do not compare it with published FIDs.",
    "metrics.name.real_fid": "FID (Inception)",
    "metrics.help.real_fid": "The real Fréchet Inception Distance, computed with torch-fidelity "
    "when it and its weights are installed.",
    # --- end compare ---
    # --- latent lab (session 4) ---
    "lab.map.prior_ring": "prior N(0, I): {k}σ",
    "sidebar.beta_zero": "β = 0 is not a VAE: a plain autoencoder. Nothing pulls its codes "
    "towards the prior, so its latent map has holes, and it reports its reconstructions only (no "
    "ELBO, no bits/dim). Train the same settings with β = 1 and open both in the Lab tab.",
    "results.metrics.autoencoder": "This run has β = 0: a plain autoencoder, not a VAE. Nothing "
    "fits its encoder's variances or pulls its codes towards the prior, so it has no ELBO, no "
    "IWAE bound and no bits/dim; only its reconstructions, its latents and its samples are "
    "measured.",
    "results.tab.lab": "Lab",
    "lab.autoencoder": "This run has β = 0: a plain autoencoder, not a VAE. Nothing pulled its "
    "codes towards the prior, so its map has holes: click between the clusters, or far from "
    "them, and the decoder draws garbage. Train the same settings with β = 1 and compare.",
    "lab.draw_header": "Draw, and see the posterior",
    "lab.brush": "Brush size (canvas pixels)",
    "lab.brush_help": "Width of the stroke on the 280-pixel canvas; about 20 draws strokes as "
    "thick as MNIST's.",
    "lab.canvas_caption": "Draw white on black with the mouse or a finger. Hover over the "
    "canvas, or touch it, for its toolbar: undo, redo, and reset to clear it.",
    "lab.colour": "Drawing needs a run on grey images; this one is in colour. Encode your own "
    "picture in the Your image tab; the map and the sliders below work for any run.",
    "lab.draw_prompt": "Draw a digit on the canvas: its image as the model receives it, its "
    "reconstruction, its posterior q(z | x) on the map, samples from it and its KL to the prior "
    "appear here.",
    "lab.input": "What the model receives",
    "lab.reconstruction": "Reconstruction",
    "lab.kl": "KL(q(z | x) ‖ p(z))",
    "lab.nats": "{value} nats",
    "lab.kl_help": "How far the posterior of your drawing is from the prior N(0, I): the "
    "information, in nats, that its code carries about it.",
    "lab.inverted": "The run's images are dark on light: your drawing was inverted to match them.",
    "lab.samples": "{n} codes drawn from q(z | x), decoded: what the model is unsure about "
    "varies between them.",
    "lab.posterior_ring": "q(z | x): {k}σ",
    "lab.mark.drawing": "your drawing",
    "lab.mark.click": "click {n}",
    "lab.map_header": "Click the latent map",
    "lab.map_caption_latent": "The test images' codes (posterior means), coloured by class, and "
    "dashed, the prior's 1σ and 2σ circles. Click anywhere: that point is decoded.",
    "lab.map_caption_pca": "The {d}-dimensional codes on their first two principal axes. A "
    "click decodes the point of this plane: the other coordinates are those of the data's mean.",
    "lab.click_prompt": "Click the map to decode a point of the latent space.",
    "lab.clicked": "The clicked point, decoded",
    "lab.click_again": "Click a second point to see the path between the two.",
    "lab.path": "The straight path between the two clicks, decoded",
    "lab.forget_clicks": "Forget the clicks",
    "lab.sliders_header": "Slide the latent code",
    "lab.sliders_from.prior": "The sliders start at the prior's centre, z = 0.",
    "lab.sliders_from.drawing": "The sliders start at your drawing's posterior mean.",
    "lab.sliders_from.click": "The sliders start at the clicked point.",
    "lab.sliders_all": "One slider per latent dimension ({d}).",
    "lab.sliders_top": "The {n} dimensions with the largest KL, of {d}; the others stay where "
    "they start.",
    "lab.slider": "z{i}",
    "lab.slider_image": "Decoded from the sliders",
    "lab.map_posterior": "In black: your drawing's posterior q(z | x), its mean (the diamond) "
    "and its 1σ and 2σ ellipses.",
    # --- end latent lab ---
    # --- science tools (session 4) ---
    "likelihood.gaussian-unit": "Gaussian, σ = 1 (the σ-VAE paper's Gaussian VAE)",
    "scale.learned-per-pixel": "learned, one per pixel",
    "sidebar.kl_warmup": "KL warm-up (steps)",
    "sidebar.kl_warmup_help": "β grows linearly from 0 to its value over this many optimisation "
    "steps (Bowman et al. 2016; Sønderby et al. 2016), so that the decoder learns to use the code "
    "before the KL pulls it to the prior. 0 switches it off. While it acts, the training loss is "
    "not an exact ELBO; the test loss and the metrics stay exact.",
    "sidebar.free_bits": "Free bits λ (nats per latent dimension)",
    "sidebar.free_bits_help": "Each latent dimension's KL, averaged over the batch, counts as at "
    "least λ nats in the training loss (Kingma et al. 2016), so that no dimension gains by "
    "collapsing to the prior. 0 switches them off. With them, the training loss is not an exact "
    "ELBO; the test loss and the metrics stay exact.",
    "sidebar.grad_clip": "Gradient clipping (largest norm)",
    "sidebar.grad_clip_help": "Before each step, the gradient of all the weights together is "
    "scaled down to this length when it is longer (Pascanu et al. 2013). 0 switches it off. It "
    "changes the steps, not the loss: on the offline MNIST sample, a norm of 1 made the default "
    "run's samples read as digits more evenly across seeds.",
    "train.surrogate_loss": "With KL warm-up or free bits, the training loss is not an exact "
    "ELBO; the test loss and the metrics are the true ones.",
    "dataset.mnist-binarized": "Binarised MNIST",
    "dataset.mnist-5k-binarized": "Binarised MNIST 5k (offline)",
    "metrics.name.mutual_information": "Mutual information I(x; z) (nats)",
    "metrics.help.mutual_information": "How much the code tells about the image, estimated on "
    "the first test images (at most 2,000) with the minibatch estimator of He et al. 2019 and "
    "Dieng et al. 2019: at most ln of the number of images. The KL term is this plus the KL "
    "from the aggregate posterior to the prior (Hoffman & Johnson 2016); near 0, the posterior "
    "has collapsed.",
    "results.kl.information": "I(x; z) (nats)",
    "results.kl.history": "KL of each latent dimension after each epoch (nats), on the first "
    "{images} test images: a dimension that falls to 0 has collapsed to the prior.",
    "compare.finding.post_hoc": "The {metric} ranks models trained with different likelihoods "
    "under one Gaussian decoder whose σ was fitted on the training set after training: an "
    "encoder trained for another σ (σ = 1 for the Gaussian VAE, σ² = β/2 for the MSE VAE and the "
    "β-VAEs) is penalised by it, and the IWAE bound makes up for that only in part.",
    "compare.finding.k_converged": "Every model's IWAE bound moves by less than {threshold} "
    "bits/dim from k = {k_low} to k = {k_high} samples.",
    "compare.finding.k_unconverged": "The IWAE bound has not converged for every model: from "
    "k = {k_low} to k = {k_high} samples it still falls by more than {threshold} bits/dim for "
    "{moves}; more samples would lower it further and could change the ranking.",
    # --- end science tools ---
    # --- reload and live panel (session 4) ---
    "live.pause": "Pause",
    "live.resume": "Resume",
    "live.step": "Step",
    "live.steps": "Steps",
    "live.steps_help": "How many optimisation steps Step runs before pausing again (1 to {max}).",
    "live.paused": "Paused between two steps: nothing is lost. Step runs the chosen number of "
    "steps and pauses again; Resume carries on.",
    "live.paused_progress": "Paused · epoch {epoch}/{epochs} · step {step}/{steps}",
    "runs.running.header": "Running now",
    "runs.running.compare_progress": "{percent} % done",
    "runs.running.watch": "Watch",
    "runs.running.watch_fallback": "Open the Train or Compare page to watch it.",
    "live.pc_axis": "principal axis {i}",
    "live.latent_caption": "Latent map: the posterior means of {n} test images, coloured by "
    "class, after {epoch} epochs. Dashed: the prior's 1σ and 2σ circles; watch the classes "
    "separate and the cloud settle onto them.",
    "live.latent_caption_pca": "Latent map: the posterior means of {n} test images on the two "
    "principal axes fitted when training started (kept fixed, so the movement shows), after "
    "{epoch} epochs. Dashed: the prior's 1σ and 2σ circles.",
    # --- end reload and live panel ---
    # --- student polish: uploads, own data, waits, first results (session 4) ---
    "upload.hint": "A {types} file, up to {mb} MB.",
    "upload.browse": "Browse files",
    "upload.refused": "Refused: only a {types} file of at most {mb} MB is accepted here.",
    "select.no_results": "No results",
    "sidebar.own_path_not_found": "No such folder or file: {path}",
    "results.drawing": "Drawing…",
    "results.samples.poor.tiny_beta": "With β = {beta} the KL term barely counts: the codes of "
    "the training images spread far from the prior N(0, I), so codes drawn from the prior land "
    "where no image was encoded and decode to blends, not digits. Raise β towards 1 for samples.",
    "results.samples.poor.large_latent": "With {latent} latent dimensions and {epochs} epochs, "
    "the codes of the training images do not fill the prior N(0, I) yet: many codes drawn from "
    "it fall between them and decode to shapes between digits. A smaller latent size (the "
    "default is {default}) or more epochs gives more samples that read as digits.",
    "estimate.training": "About {time} on this machine, from its measured speed.",
    "estimate.comparison": "About {time} on this machine, from its measured speed (rows found "
    "in the cache take a moment).",
    "estimate.queue": "{n} job(s) running or waiting go first.",
    "runs.import.title": "Import a run",
    "runs.import.label": "A run's .zip",
    "runs.import.help": "An archive made by the Download button of a run or by `vaelab runs "
    "export`. It is checked in full before anything is added.",
    "runs.import.overwrite": "Replace a run with the same id",
    "runs.import.button": "Import",
    "runs.import.done": "Imported {run}: it is open on the Results page.",
    "runs.import.error": "This archive cannot be imported: {reason}",
    "estimate.measuring": "Measuring this machine's speed for a time estimate…",
    # --- end student polish ---
    # --- measure job (session 5) ---
    "results.metrics.queued": "Waiting for {ahead} job(s) to finish first; the measurement "
    "starts by itself.",
    "results.metrics.background": "Running in the background for {elapsed}: the other tabs and "
    "pages answer meanwhile, and leaving this page does not stop it.",
    "results.metrics.busy_other": "Another run of yours is being measured: one measurement at a "
    "time. Measure comes back when it is done.",
    # --- end measure job ---
    # --- compare reference (session 6) ---
    "compare.finding.fd_classifier": "The {metric} is measured in the features of a classifier "
    "with {accuracy} test accuracy, on {samples} samples and as many test images.",
    "compare.finding.fd_classifier_weak": "The {metric} is measured in the features of a "
    "classifier with only {accuracy} test accuracy, on {samples} samples and as many test "
    "images: features that tell the classes apart this poorly say little about samples, so the "
    "{metric} ranks the models little.",
    "compare.finding.fd_column": "(classifier {accuracy}, {samples} samples)",
    "compare.samples": "Samples per row of the figure",
    "compare.reference.header": "Committed reference",
    "compare.reference.earlier": "Committed reference on {dataset}",
    "compare.reference.intro": "What the paper's experiment gives with these settings, computed "
    "once and shipped with VAE Lab: nothing is trained or measured to show it. **{start}** "
    "above runs it again, live, on this machine (models already in the cache are "
    "reused).",
    "compare.reference.made": "Made by `{command}`, finished {date} after {time} of computing.",
    "compare.reference.made_undated": "Made by `{command}` in {time} of computing.",
    "compare.reference.one_seed": "One seed ({seed}): with another seed, models whose numbers "
    "are close may swap places.",
    "compare.reference.differs": "Your settings above differ from this reference's in: "
    "{settings}. Start the comparison for results with yours.",
    "compare.reference.none": "No committed reference on {dataset}: start the comparison to see "
    "what it gives.",
    "compare.reference.broken": "The committed references cannot be read: {reason}",
    "compare.reference.sample": "There is no committed reference on the whole of {dataset}: this "
    "one is on `{sample}`, a sample of its training images, trained and measured on it "
    "alone. Its numbers are not those of {dataset}.",
    # --- end compare reference ---
    # --- runs page (session 6) ---
    "runs.compare.too_many": "At most {most} runs are compared at once: the first {most} "
    "chosen are shown. Remove one to add another.",
    # --- end runs page ---
    # --- seeds (session 7) ---
    "compare.seeds.header": "Over {n} seeds",
    "compare.seeds.caption": "The figure, table and findings above are seed {seed}'s.",
    "compare.seeds.finding.table": "The same comparison with seeds {seeds}: mean ± standard "
    "error across the seeds (sample standard deviation / √{n}), the best mean in bold.",
    "compare.seeds.caption_one": "The same comparison with one seed ({seed}): no standard "
    "error, and no way to tell whether the ranking holds with another seed.",
    "compare.reference.seeds": "Seeds {seeds}: what holds in every seed is summarised below; "
    "the figure, table and findings are those of seed {seed}.",
    "compare.seeds.finding.one_seed": "One seed ({seed}): nothing here says whether the ranking "
    "holds with another seed.",
    "compare.seeds.finding.best_every": "On {metric}, the {best} has the best mean and is the "
    "best in each of the {n} seeds; the σ-VAE ranks {ranks} of {rows} over seeds {seeds}.",
    "compare.seeds.finding.best_some": "On {metric}, the {best} has the best mean but is the "
    "best in only {count} of the {n} seeds: the best model changes with the seed. The σ-VAE "
    "ranks {ranks} of {rows} over seeds {seeds}.",
    "compare.seeds.finding.difference_one": "On {metric}, σ-VAE − best β-VAE (β = {best_beta}): "
    "{difference}, in one seed, with no spread across seeds to judge it by.",
    "compare.seeds.finding.difference_better_every": "On {metric}, σ-VAE − best β-VAE on the "
    "mean (β = {best_beta}): {difference} ± {standard_error} (mean ± standard error over {n} "
    "seeds); the σ-VAE is the better of the two in each of these seeds ({low} to {high}).",
    "compare.seeds.finding.difference_worse_every": "On {metric}, σ-VAE − best β-VAE on the "
    "mean (β = {best_beta}): {difference} ± {standard_error} (mean ± standard error over {n} "
    "seeds); the β-VAE is the better of the two in each of these seeds ({low} to {high}).",
    "compare.seeds.finding.difference_mixed": "On {metric}, σ-VAE − best β-VAE on the mean "
    "(β = {best_beta}): {difference} ± {standard_error} (mean ± standard error over {n} seeds); "
    "its sign changes with the seed ({low} to {high}), so these seeds do not tell which of the "
    "two is better.",
    # --- end seeds ---
}
