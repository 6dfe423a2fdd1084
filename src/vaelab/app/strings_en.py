"""English strings of the app (keys must match :mod:`vaelab.app.strings_fr`)."""

EN: dict[str, str] = {
    # --- shell: navigation, sidebar, train page, architecture panel (helper A) ---
    "app.title": "VAE Lab",
    "sidebar.language": "Language",
    "nav.train": "Train",
    "nav.results": "Results",
    "nav.runs": "Runs",
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
    "sidebar.upload_too_big": "This file is larger than {mb} MB; give its path instead.",
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
    "error (MSE), absolute error (L1) or binary cross-entropy (Bernoulli).",
    "sidebar.likelihood_help.beta-vae": "How a reconstruction is compared with its image: "
    "squared error (MSE), absolute error (L1) or binary cross-entropy (Bernoulli).",
    "sidebar.likelihood_help.sigma-vae": "The decoder's distribution: Gaussian (squared error "
    "scaled by σ) or Laplace (absolute error scaled by b).",
    "likelihood.mse": "MSE (squared error)",
    "likelihood.l1": "L1 (absolute error)",
    "likelihood.bernoulli": "Bernoulli (cross-entropy)",
    "likelihood.gaussian": "Gaussian log-likelihood",
    "likelihood.laplace": "Laplace log-likelihood",
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
    "(no internet?). Choose MNIST 5k, which works offline. Details: {reason}",
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
    "train.new_run": "Not trained yet: {epochs} epochs to go.",
    "train.train": "Train",
    "train.partial": "Found in the cache with {done} of {target} epochs: training continues "
    "from there.",
    "train.continue_to": "Continue to {target} epochs",
    "train.cached": "Loaded from the cache: already trained for {done} epochs.",
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
    "train.step": "step",
    "train.epoch": "epoch",
    "train.epoch_curves": "Loss per epoch",
    "train.train_loss": "train",
    "train.test_loss": "test",
    "train.recon_caption": "Test images (top) and their reconstructions (bottom) after {epoch} "
    "epochs",
    "train.failed": "Training failed: {reason}",
    "train.cancelled": "Training cancelled before it started.",
    "train.stopped": "Stopped after {done} full epochs. What was learned is saved: press "
    "Continue to resume.",
    "train.complete": "Training complete: {done} epochs in {time}.",
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
    "learn.fig.reparam.caption": "Black arrows: the forward pass; red dashed arrows: the "
    "gradient of the loss. Sampling z directly cuts the gradient path to the encoder; writing "
    "z = μ + σ⊙ε moves the randomness into an input ε and leaves a differentiable path.",
    "learn.fig.reparam.without": "Without the trick",
    "learn.fig.reparam.with": "With the reparameterization trick",
    "learn.fig.reparam.encoder": "encoder φ",
    "learn.fig.reparam.decoder": "decoder θ",
    "learn.fig.reparam.blocked": "no gradient\nthrough sampling",
    "learn.fig.reparam.forward": "forward pass",
    "learn.fig.reparam.backward": "gradient (backward pass)",
    "learn.fig.calib.caption": "Per-pixel negative log-likelihood as a function of the decoder "
    "scale, for three reconstruction errors. Each Gaussian curve is lowest at σ = √MSE (the "
    "RMSE), each Laplace curve at b = MAE. The dotted line is the σ-VAE's soft clip, log σ ≥ −6.",
    "learn.fig.calib.gauss_title": "Gaussian decoder",
    "learn.fig.calib.laplace_title": "Laplace decoder",
    "learn.fig.calib.scale_axis": "(decoder scale, log axis)",
    "learn.fig.calib.nll_axis": "NLL (nats per pixel)",
    "learn.fig.calib.clip": "soft clip\nlog σ = −6",
    "learn.fig.timeline.caption": "Each model sits at the date of its first public version "
    "(arXiv or conference). Filled boxes: the three models VAE Lab implements.",
    "learn.fig.timeline.title": "Deep generative models for images, 2013–2020",
    "learn.fig.timeline.vae": "variational autoencoders",
    "learn.fig.timeline.gan": "adversarial networks (GANs)",
    "learn.fig.timeline.autoregressive": "autoregressive models",
    "learn.fig.timeline.diffusion": "diffusion models",
    "learn.fig.timeline.in_app": "filled: implemented in VAE Lab",
    "learn.fig.reparam.deterministic": "deterministic node",
    "learn.fig.reparam.random": "random node",
    # --- end learn ---
    # --- results tabs and runs page (helper C) ---
    # --- end results ---
}
