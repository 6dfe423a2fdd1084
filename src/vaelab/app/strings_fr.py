"""Chaînes françaises de l'application (mêmes clés que :mod:`vaelab.app.strings_en`)."""

FR: dict[str, str] = {
    # --- shell: navigation, sidebar, train page, architecture panel (helper A) ---
    "app.title": "VAE Lab",
    "sidebar.language": "Langue",
    "nav.train": "Entraîner",
    "nav.results": "Résultats",
    "nav.runs": "Entraînements",
    "nav.learn": "Comprendre",
    "sidebar.title": "Hyperparamètres",
    "sidebar.model": "Modèle",
    "sidebar.model_help": "VAE : le modèle original (β = 1). β-VAE : pondère le terme KL par "
    "β. σ-VAE : apprend l'échelle σ du bruit du décodeur, qui règle l'équilibre à votre place.",
    "sidebar.dataset": "Jeu de données",
    "sidebar.dataset_help": "Les images à apprendre. MNIST 5k fonctionne hors ligne ; les "
    "autres sont téléchargés la première fois (hors ligne, MNIST est remplacé par MNIST 5k).",
    "dataset.mnist": "MNIST",
    "dataset.mnist-5k": "MNIST 5k (hors ligne)",
    "dataset.fashion-mnist": "Fashion-MNIST",
    "dataset.cifar10": "CIFAR-10",
    "dataset.own": "Mes propres images…",
    "sidebar.own_path": "Dossier d'images ou fichier .npz",
    "sidebar.own_path_placeholder": "/home/moi/images ou chiffres.npz",
    "sidebar.own_path_help": "Un dossier d'images PNG/JPEG (un sous-dossier par classe si vous "
    "avez des étiquettes), ou un .npz enregistré avec numpy.savez(chemin, x=images, y=etiquettes).",
    "sidebar.own_upload": "…ou déposez un fichier .npz",
    "sidebar.own_upload_help": "Le fichier est conservé dans le dossier des données, nommé "
    "d'après son contenu.",
    "sidebar.upload_too_big": "Ce fichier dépasse {mb} Mo ; indiquez plutôt son chemin.",
    "sidebar.image_size": "Taille des images",
    "sidebar.image_size_auto": "automatique",
    "sidebar.image_size_help": "Côté auquel vos images sont recadrées au centre puis "
    "redimensionnées. Automatique : 32×32 pour un dossier, inchangé pour un .npz.",
    "sidebar.latent": "Dimension latente",
    "sidebar.latent_help": "Taille du code z. Petite (2 à 8) : une carte visible et compressée ; "
    "grande : des reconstructions plus nettes.",
    "sidebar.hidden": "Couches convolutives cachées",
    "sidebar.hidden_help": "Canaux des convolutions de pas 2 de l'encodeur, dans l'ordre choisi "
    "(1 à 5 couches) ; le décodeur en est le miroir.",
    "sidebar.hidden_none": "Choisissez au moins une couche ; {default} est utilisé en attendant.",
    "sidebar.hidden_too_many": "{n} couches choisies : {max} au plus sont permises, seules les "
    "{max} premières sont utilisées.",
    "sidebar.hidden_order": "Canaux de l'encodeur : {order}",
    "sidebar.likelihood": "Erreur de reconstruction",
    "sidebar.likelihood_help.vae": "Comment une reconstruction est comparée à son image : "
    "erreur quadratique (MSE), erreur absolue (L1) ou entropie croisée binaire (Bernoulli).",
    "sidebar.likelihood_help.beta-vae": "Comment une reconstruction est comparée à son image : "
    "erreur quadratique (MSE), erreur absolue (L1) ou entropie croisée binaire (Bernoulli).",
    "sidebar.likelihood_help.sigma-vae": "La loi du décodeur : gaussienne (erreur quadratique "
    "divisée par σ) ou de Laplace (erreur absolue divisée par b).",
    "likelihood.mse": "MSE (erreur quadratique)",
    "likelihood.l1": "L1 (erreur absolue)",
    "likelihood.bernoulli": "Bernoulli (entropie croisée)",
    "likelihood.gaussian": "Log-vraisemblance gaussienne",
    "likelihood.laplace": "Log-vraisemblance de Laplace",
    "sidebar.scale": "Échelle σ du décodeur",
    "sidebar.scale_help": "Optimale : σ² vaut la MSE courante à chaque pas (le choix de "
    "l'article du σ-VAE). Apprise : σ est un paramètre de plus, appris par descente de gradient.",
    "scale.optimal": "optimale",
    "scale.learned": "apprise",
    "sidebar.beta_fixed": "β = 1 pour le VAE original : choisissez le β-VAE ou le σ-VAE pour "
    "le modifier.",
    "sidebar.beta": "β (poids du terme KL)",
    "sidebar.beta_help.beta-vae": "β > 1 favorise un espace latent plus lisse et démêlé ; β < 1 "
    "favorise des reconstructions plus nettes.",
    "sidebar.beta_help.sigma-vae": "Gardez 1 : le σ appris équilibre déjà les deux termes. Les "
    "valeurs jusqu'à 1e-5 reproduisent les comparaisons de l'article du σ-VAE.",
    "sidebar.batch": "Taille de lot",
    "sidebar.batch_help": "Nombre d'images par pas d'optimisation.",
    "sidebar.epochs": "Époques",
    "sidebar.epochs_help": "Passages sur le jeu d'entraînement. Un entraînement en cache avec "
    "moins d'époques est prolongé, pas recommencé.",
    "sidebar.advanced": "Avancé",
    "sidebar.lr": "Taux d'apprentissage",
    "sidebar.lr_help": "Taille des pas de l'optimiseur Adam.",
    "sidebar.seed": "Graine",
    "sidebar.seed_help": "Fixe les poids initiaux, l'ordre des lots et le bruit : la même "
    "graine donne le même entraînement.",
    "sidebar.device": "Matériel",
    "sidebar.device_help": "Où entraîner. Automatique : le GPU s'il y en a un, sinon le CPU.",
    "device.auto": "automatique",
    "device.cpu": "CPU",
    "device.cuda": "GPU (CUDA)",
    "device.mps": "GPU Apple (MPS)",
    "sidebar.own_path_missing": "Indiquez le chemin de vos images, ou déposez un fichier .npz.",
    "sidebar.loading": "Chargement de {name}…",
    "sidebar.dataset_unavailable": "{name} n'est pas sur cet ordinateur et ne peut pas être "
    "téléchargé (pas d'internet ?). Choisissez MNIST 5k, qui fonctionne hors ligne. "
    "Détails : {reason}",
    "sidebar.dataset_error": "Ces images ne sont pas utilisables : {reason}",
    "sidebar.invalid": "Réglage invalide : {reason}",
    "arch.unavailable": "L'architecture s'affiche dès que le jeu de données est connu.",
    "arch.title": "Architecture : {variant}, {params} paramètres",
    "arch.loss_heading": "**Perte minimisée, par image**",
    "arch.loss_caption.vae": "L'erreur de reconstruction plus la divergence KL entre q(z|x) et "
    "la loi a priori : l'opposé de l'ELBO. D = {d} valeurs de pixels, z a {latent} dimensions.",
    "arch.loss_caption.beta-vae": "β pondère le terme KL : au-dessus de 1, il rapproche les "
    "codes de la loi a priori ; en dessous, il privilégie la reconstruction. D = {d} valeurs "
    "de pixels, z a {latent} dimensions.",
    "arch.loss_caption.sigma-vae": "Un décodeur calibré : σ mesure l'ampleur des erreurs de "
    "reconstruction, si bien que les deux termes s'équilibrent d'eux-mêmes. D = {d} valeurs "
    "de pixels, z a {latent} dimensions.",
    "arch.layers_heading": "**Couches et formes de sortie**",
    "arch.layer": "Couche",
    "arch.shape": "Forme de sortie",
    "train.title": "Entraîner un VAE",
    "train.intro": "Choisissez les hyperparamètres dans la barre latérale, appuyez sur "
    "Entraîner et regardez le modèle apprendre. Les entraînements sont enregistrés : les mêmes "
    "réglages se rechargent aussitôt.",
    "train.offline_notice": "{requested} ne peut pas être téléchargé (pas d'internet ?) : "
    "l'échantillon intégré {used} est utilisé à la place, soit {n} vrais chiffres manuscrits.",
    "train.fix_settings": "Corrigez les réglages de la barre latérale pour entraîner.",
    "train.run_label": "{variant} sur {dataset}, z = {latent}, couches {layers}",
    "train.dataset_none": "Aucun jeu de données chargé.",
    "train.dataset_size": "{train} images d'entraînement et {test} de test, de {shape} pixels",
    "train.dataset_classes": "{n} classes : {names}",
    "train.dataset_unlabelled": "Sans étiquettes",
    "train.dataset_local": "Disponible sur cet ordinateur.",
    "train.dataset_download": "Pas encore sur cet ordinateur : il sera téléchargé au chargement.",
    "train.run_broken": "L'entraînement enregistré est illisible : {reason}. Réentraînez-le "
    "depuis le début.",
    "train.new_run": "Pas encore entraîné : {epochs} époques à faire.",
    "train.train": "Entraîner",
    "train.partial": "Trouvé dans le cache avec {done} époques sur {target} : l'entraînement "
    "reprend là où il s'était arrêté.",
    "train.continue_to": "Continuer jusqu'à {target} époques",
    "train.cached": "Chargé depuis le cache : déjà entraîné pendant {done} époques.",
    "train.extra_epochs": "Époques supplémentaires",
    "train.extra_epochs_help": "Nombre d'époques à ajouter à l'entraînement enregistré.",
    "train.continue": "Continuer",
    "train.retrain": "Réentraîner depuis le début",
    "train.training": "Entraînement de **{run}**",
    "train.queued": "En attente de la fin d'un autre entraînement ({ahead} avant celui-ci). "
    "Rien n'est perdu : il démarrera tout seul.",
    "train.starting": "Démarrage…",
    "train.progress": "Époque {epoch}/{epochs} · pas {step}/{steps} · {speed} images/s · "
    "encore {eta}",
    "train.stop": "Arrêter",
    "train.stopping": "Arrêt après le pas en cours ; ce qui a été appris est enregistré.",
    "metric.loss": "Perte totale",
    "metric.recon": "Reconstruction",
    "metric.kl": "KL",
    "metric.sigma": "σ (échelle du décodeur)",
    "train.step": "pas",
    "train.epoch": "époque",
    "train.epoch_curves": "Perte par époque",
    "train.train_loss": "entraînement",
    "train.test_loss": "test",
    "train.recon_caption": "Images de test (en haut) et leurs reconstructions (en bas) après "
    "{epoch} époques",
    "train.failed": "L'entraînement a échoué : {reason}",
    "train.cancelled": "Entraînement annulé avant son démarrage.",
    "train.stopped": "Arrêté après {done} époques complètes. Ce qui a été appris est "
    "enregistré : appuyez sur Continuer pour reprendre.",
    "train.complete": "Entraînement terminé : {done} époques en {time}.",
    "train.results": "Résultats",
    # --- end shell ---
    # --- learn page (helper B) ---
    "learn.title": "Comprendre : les idées derrière VAE Lab",
    "learn.subtitle": "De l'autoencodeur au σ-VAE : ce que les modèles de la page "
    "d'entraînement optimisent, et pourquoi.",
    "learn.text_missing": "Impossible de lire le texte du cours ({error}).",
    "learn.figure_failed": "Impossible de tracer cette figure ({error}).",
    "learn.fig.latent.caption": "Illustration synthétique. Un autoencodeur envoie chaque image "
    "sur un point, placé où bon lui semble ; un VAE l'envoie sur une gaussienne q(z|x), et le "
    "terme KL range ces gaussiennes à l'intérieur de la loi a priori : tout point tiré de l'a "
    "priori se décode alors en une image plausible.",
    "learn.fig.latent.ae_title": "Autoencodeur : un point par image",
    "learn.fig.latent.vae_title": "VAE : une gaussienne q(z|x) par image",
    "learn.fig.latent.hole": "un trou : décoder ici\ndonne n'importe quoi",
    "learn.fig.latent.prior": "a priori p(z) : 1σ et 2σ",
    "learn.fig.kl.caption": "À gauche : trois lois a posteriori q face à l'a priori N(0, 1), "
    "avec leur KL. À droite : la KL exacte en fonction de (μ, σ) ; éloigner la moyenne ou "
    "réduire σ coûte des nats.",
    "learn.fig.kl.density": "densité",
    "learn.fig.kl.pdf_title": "A posteriori q(z|x) et a priori p(z)",
    "learn.fig.kl.map_title": "KL(q ‖ p) selon μ et σ",
    "learn.fig.kl.minimum": "KL = 0 seulement en\nμ = 0, σ = 1",
    "learn.fig.kl.nats": "KL (nats)",
    "learn.fig.reparam.caption": "Flèches noires : la propagation avant ; flèches rouges en "
    "pointillé : le gradient de la perte. Tirer z directement coupe le chemin du gradient vers "
    "l'encodeur ; écrire z = μ + σ⊙ε déplace le hasard dans une entrée ε et laisse un chemin "
    "dérivable.",
    "learn.fig.reparam.without": "Sans l'astuce",
    "learn.fig.reparam.with": "Avec l'astuce de reparamétrisation",
    "learn.fig.reparam.encoder": "encodeur φ",
    "learn.fig.reparam.decoder": "décodeur θ",
    "learn.fig.reparam.blocked": "pas de gradient\nà travers le tirage",
    "learn.fig.reparam.forward": "propagation avant",
    "learn.fig.reparam.backward": "gradient (rétropropagation)",
    "learn.fig.calib.caption": "Log-vraisemblance négative par pixel en fonction de l'échelle du "
    "décodeur, pour trois erreurs de reconstruction. Chaque courbe gaussienne atteint son minimum "
    "en σ = √MSE (la RMSE), chaque courbe de Laplace en b = MAE. Le pointillé marque le seuil "
    "doux du σ-VAE, log σ ≥ −6.",
    "learn.fig.calib.gauss_title": "Décodeur gaussien",
    "learn.fig.calib.laplace_title": "Décodeur de Laplace",
    "learn.fig.calib.scale_axis": "(échelle du décodeur, axe log)",
    "learn.fig.calib.nll_axis": "NLL (nats par pixel)",
    "learn.fig.calib.clip": "seuil doux\nlog σ = −6",
    "learn.fig.timeline.caption": "Chaque modèle est placé à la date de sa première version "
    "publique (arXiv ou conférence). Cadres pleins : les trois modèles implémentés dans VAE Lab.",
    "learn.fig.timeline.title": "Modèles génératifs profonds pour l'image, 2013–2020",
    "learn.fig.timeline.vae": "autoencodeurs variationnels",
    "learn.fig.timeline.gan": "réseaux antagonistes (GAN)",
    "learn.fig.timeline.autoregressive": "modèles autorégressifs",
    "learn.fig.timeline.diffusion": "modèles de diffusion",
    "learn.fig.timeline.in_app": "plein : implémenté dans VAE Lab",
    "learn.fig.reparam.deterministic": "nœud déterministe",
    "learn.fig.reparam.random": "nœud aléatoire",
    # --- end learn ---
    # --- results tabs and runs page (helper C) ---
    # --- end results ---
}
