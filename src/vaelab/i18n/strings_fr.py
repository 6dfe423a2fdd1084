"""Chaînes françaises de VAE Lab (mêmes clés que :mod:`vaelab.i18n.strings_en`)."""

FR: dict[str, str] = {
    # --- shell: navigation, sidebar, train page, architecture panel (helper A) ---
    "app.title": "VAE Lab",
    "sidebar.language": "Langue",
    "nav.train": "Entraîner",
    "nav.results": "Résultats",
    "nav.runs": "Entraînements",
    "nav.compare": "Comparer",
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
    "erreur quadratique (MSE), erreur absolue (L1), entropie croisée binaire (Bernoulli, pour "
    "des pixels noirs ou blancs) ou Bernoulli continue, l'entropie croisée devenue une densité "
    "pour les niveaux de gris.",
    "sidebar.likelihood_help.beta-vae": "Comment une reconstruction est comparée à son image : "
    "erreur quadratique (MSE), erreur absolue (L1), entropie croisée binaire (Bernoulli, pour "
    "des pixels noirs ou blancs) ou Bernoulli continue, l'entropie croisée devenue une densité "
    "pour les niveaux de gris.",
    "sidebar.likelihood_help.sigma-vae": "La loi du décodeur : gaussienne (erreur quadratique "
    "divisée par σ) ou de Laplace (erreur absolue divisée par b), ou une gaussienne ou une "
    "logistique discrétisée sur les 256 niveaux des pixels : une probabilité de l'image 8 bits, "
    "comme dans les articles.",
    "likelihood.mse": "MSE (erreur quadratique)",
    "likelihood.l1": "L1 (erreur absolue)",
    "likelihood.bernoulli": "Bernoulli (entropie croisée)",
    "likelihood.continuous-bernoulli": "Bernoulli continue",
    "likelihood.gaussian": "Log-vraisemblance gaussienne",
    "likelihood.laplace": "Log-vraisemblance de Laplace",
    "likelihood.discretized-gaussian": "Gaussienne discrétisée (256 niveaux)",
    "likelihood.discretized-logistic": "Logistique discrétisée (256 niveaux)",
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
    "téléchargé (pas d'internet ?). Choisissez MNIST 5k, qui fonctionne hors ligne, ou "
    "téléchargez-le sur une machine connectée avec `vaelab datasets fetch {id}` et copiez son "
    "dossier de données dans {folder}.",
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
    "train.new_run": "Pas encore entraîné : {epochs} à faire.",
    "train.train": "Entraîner",
    "train.partial": "Trouvé dans le cache, entraîné pendant {done} : l'entraînement reprend "
    "là où il s'était arrêté, jusqu'à {target}.",
    "train.continue_to": "Continuer jusqu'à {target}",
    "train.cached": "Chargé depuis le cache : déjà entraîné pendant {done}.",
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
    "train.curves_caption": "Axe horizontal : époques. En bleu, la perte d'entraînement à chaque "
    "pas ; en rouge, la perte de test après chaque époque (en nats par image).",
    "train.train_loss": "entraînement",
    "train.test_loss": "test",
    "train.recon_caption": "Images de test (en haut) et leurs reconstructions (en bas) ; "
    "époques d'entraînement : {epoch}",
    "train.failed": "L'entraînement a échoué : {reason}",
    "train.cancelled": "Entraînement annulé avant son démarrage.",
    "train.stopped": "Arrêté après {done} et une partie de la suivante. Tout ce qui a été "
    "appris est enregistré : reprenez quand vous voulez.",
    "train.complete": "Entraînement terminé : {done} en {time}.",
    "unit.epoch": "{n} époque",
    "unit.epochs": "{n} époques",
    "arch.node.input": "entrée x",
    "arch.node.conv": "conv {i}",
    "arch.node.deconv": "déconv {i}",
    "arch.node.linear": "linéaire",
    "arch.node.output": "sortie x̂",
    "train.results": "Résultats",
    # --- end shell ---
    # --- learn page (helper B) ---
    "learn.title": "Comprendre : les idées derrière VAE Lab",
    "learn.subtitle": "De l'autoencodeur au σ-VAE : ce que les modèles de la page "
    "d'entraînement optimisent, et pourquoi.",
    "learn.text_missing": "Impossible de lire le texte du cours ({error}).",
    "learn.figure_failed": "Impossible de tracer cette figure ({error}).",
    "learn.fig.latent.caption": "Illustration synthétique. Un autoencodeur envoie chaque image "
    "sur un point, placé où bon lui semble ; un VAE l'envoie sur une gaussienne q(z|x), et le "
    "terme KL range ces gaussiennes à l'intérieur de la loi a priori : tout point tiré de l'a "
    "priori se décode alors en une image plausible.",
    "learn.fig.latent.ae_title": "Autoencodeur : un point par image",
    "learn.fig.latent.vae_title": "VAE : une gaussienne q(z|x) par image",
    "learn.fig.latent.hole": "un trou : décoder ici\ndonne n'importe quoi",
    "learn.fig.latent.prior": "a priori p(z) : 1σ et 2σ",
    "learn.fig.kl.caption": "À gauche : trois lois a posteriori q face à l'a priori N(0, 1), "
    "avec leur KL. À droite : la KL exacte en fonction de (μ, σ) ; éloigner la moyenne ou "
    "réduire σ coûte des nats.",
    "learn.fig.kl.density": "densité",
    "learn.fig.kl.pdf_title": "A posteriori q(z|x) et a priori p(z)",
    "learn.fig.kl.map_title": "KL(q ‖ p) selon μ et σ",
    "learn.fig.kl.minimum": "KL = 0 seulement en\nμ = 0, σ = 1",
    "learn.fig.kl.nats": "KL (nats)",
    "learn.fig.reparameterization.caption": "Flèches noires : la propagation avant ; flèches "
    "rouges en pointillé : le gradient de la perte. Tirer z directement coupe le chemin du "
    "gradient vers l'encodeur ; écrire z = μ + σ⊙ε déplace le hasard dans une entrée ε et "
    "laisse un chemin dérivable.",
    "learn.fig.reparameterization.without": "Sans l'astuce",
    "learn.fig.reparameterization.with": "Avec l'astuce de reparamétrisation",
    "learn.fig.reparameterization.encoder": "encodeur φ",
    "learn.fig.reparameterization.decoder": "décodeur θ",
    "learn.fig.reparameterization.blocked": "pas de gradient\nà travers le tirage",
    "learn.fig.reparameterization.forward": "propagation avant",
    "learn.fig.reparameterization.backward": "gradient (rétropropagation)",
    "learn.fig.calibration.caption": "Log-vraisemblance négative par pixel en fonction de "
    "l'échelle du décodeur, pour trois erreurs de reconstruction. Chaque courbe gaussienne "
    "atteint son minimum en σ = √MSE (la RMSE), chaque courbe de Laplace en b = MAE. Le "
    "pointillé marque le seuil doux du σ-VAE, log σ ≥ −6.",
    "learn.fig.calibration.gauss_title": "Décodeur gaussien",
    "learn.fig.calibration.laplace_title": "Décodeur de Laplace",
    "learn.fig.calibration.scale_axis": "(échelle du décodeur, axe log)",
    "learn.fig.calibration.nll_axis": "NLL (nats par pixel)",
    "learn.fig.calibration.clip": "seuil doux\nlog σ = −6",
    "learn.fig.timeline.caption": "Chaque modèle est placé à la date de sa première version "
    "publique (arXiv ou conférence). Cadres pleins : les trois modèles implémentés dans VAE Lab.",
    "learn.fig.timeline.title": "Modèles génératifs profonds pour l'image, 2013–2020",
    "learn.fig.timeline.vae": "autoencodeurs variationnels",
    "learn.fig.timeline.gan": "réseaux antagonistes (GAN)",
    "learn.fig.timeline.autoregressive": "modèles autorégressifs",
    "learn.fig.timeline.diffusion": "modèles de diffusion",
    "learn.fig.timeline.in_app": "plein : implémenté dans VAE Lab",
    "learn.fig.reparameterization.deterministic": "nœud déterministe",
    "learn.fig.reparameterization.random": "nœud aléatoire",
    # --- end learn ---
    # --- results tabs and runs page (helper C) ---
    "results.tab.curves": "Courbes de perte",
    "results.tab.reconstructions": "Reconstructions",
    "results.tab.samples": "Échantillons",
    "results.tab.latent": "Espace latent",
    "results.tab.paths": "Interpolation",
    "results.tab.kl": "KL par dimension",
    "results.tab.upload": "Votre image",
    "results.tab.downloads": "Téléchargements",
    "results.summary": "**{model}** sur {dataset} · dimension latente {latent} · "
    "époques : {epochs}",
    "results.no_data": "Les images d'entraînement de ce modèle ne sont pas chargées : cet onglet "
    "reste vide.",
    "results.download_png": "Télécharger en PNG",
    "results.curves.empty": "Aucune époque terminée : les courbes apparaîtront après la première.",
    "results.curves.caption": "Trait plein : ensemble d'entraînement (moyenne sur l'époque). "
    "Pointillés : ensemble de test (mesuré après l'époque). En nats par image : plus c'est bas, "
    "mieux c'est.",
    "results.recon.caption": "En haut : des images de test. En bas : leurs reconstructions, "
    "décodées à partir de la moyenne a posteriori μ.",
    "results.samples.caption": "49 images décodées à partir de z ~ N(0, T² I), où T est la "
    "température (tirage n° {seed}).",
    "results.samples.temperature": "Température T",
    "results.samples.temperature_help": "Multiplie l'écart-type de la loi a priori. En dessous "
    "de 1 : des échantillons plus nets mais moins variés ; au-dessus de 1 : plus variés et plus "
    "bruités.",
    "results.samples.resample": "Nouveau tirage",
    "results.latent.caption_latent": "{n} images de test encodées par leur moyenne a posteriori "
    "μ. L'espace latent a 2 dimensions : ce sont ses deux coordonnées.",
    "results.latent.caption_pca": "{n} images de test encodées par leur moyenne a posteriori μ "
    "({d} dimensions), projetée sur ses deux premières composantes principales ({pct} % de la "
    "variance).",
    "results.latent.manifold": "Variété décodée",
    "results.latent.manifold_caption": "Ce que dessine le décodeur sur une grille 15 × 15 de "
    "valeurs de z, régulièrement espacées en probabilité sous la loi a priori N(0, I) (Kingma et "
    "Welling 2014, figure 4).",
    "results.latent.no_manifold": "La variété décodée demande un espace latent de dimension 2 : "
    "entraînez avec une dimension latente de 2 pour la voir.",
    "results.interp.header": "Interpolation entre deux images de test",
    "results.interp.image_a": "Image A (n° de l'image de test)",
    "results.interp.image_b": "Image B (n° de l'image de test)",
    "results.interp.label": "Classe {label}",
    "results.interp.steps": "Étapes",
    "results.interp.method": "Chemin",
    "results.interp.linear": "Ligne droite",
    "results.interp.slerp": "Grand cercle (slerp)",
    "results.interp.method_help": "Ligne droite entre μ_A et μ_B, ou arc de grand cercle, qui "
    "garde ‖z‖ proche de la norme typique des tirages de la loi a priori (White 2016).",
    "results.interp.caption": "De la reconstruction de A (à gauche) à celle de B (à droite).",
    "results.trav.header": "Parcours d'une seule dimension latente",
    "results.trav.dims": "Dimensions (les plus utilisées d'abord)",
    "results.trav.dims_help": "Les dimensions sont classées par KL décroissante : les premières "
    "portent le plus d'information.",
    "results.trav.span": "Amplitude ±",
    "results.trav.origin": "Point de départ",
    "results.trav.from_image": "le code de l'image A",
    "results.trav.from_prior": "le centre de la loi a priori (z = 0)",
    "results.trav.caption": "Chaque ligne fait varier une dimension de −{span} à +{span} en "
    "gardant les autres fixes. Lignes, de haut en bas : dimensions {dims}.",
    "results.trav.pick": "Choisissez au moins une dimension.",
    "results.kl.active": "Dimensions actives",
    "results.kl.total": "KL totale (nats par image)",
    "results.kl.explain": "Chaque barre est la divergence KL entre q(z_d | x) et la loi a priori "
    "N(0, 1) pour une dimension latente d, moyennée sur les images de test ; la somme des barres "
    "est le terme KL de la perte. Une dimension dont la moyenne a posteriori ne change pas d'une "
    "image à l'autre ne porte aucune information : elle est **inactive** (Burda et al. 2016 "
    "comptent une dimension comme active quand la variance de sa moyenne a posteriori sur les "
    "données dépasse 0,01). Augmenter β dans un β-VAE rend le terme KL plus coûteux : le modèle "
    "éteint des dimensions et ne garde que les plus utiles (Higgins et al. 2017).",
    "results.upload.label": "Déposez une image",
    "results.upload.help": "PNG, JPEG, GIF, BMP, WebP ou TIFF, jusqu'à 20 Mo. Elle est convertie "
    "en {channels}, recadrée au centre et redimensionnée à {height} × {width} pixels.",
    "results.upload.grey": "niveaux de gris",
    "results.upload.colour": "couleur",
    "results.upload.prompt": "Déposez une image pour voir comment le modèle l'encode et la "
    "reconstruit, et où elle se place sur la carte latente.",
    "results.upload.invert": "Inverser les couleurs",
    "results.upload.invert_help": "Les chiffres de MNIST sont blancs sur fond noir ; un chiffre "
    "écrit sur papier est foncé sur fond blanc. L'inversion le rapproche des images "
    "d'entraînement.",
    "results.upload.input": "Votre image, telle que le modèle la voit",
    "results.upload.reconstruction": "Sa reconstruction",
    "results.upload.map": "Sa place sur la carte latente (l'étoile)",
    "results.upload.error.empty": "Le fichier est vide.",
    "results.upload.error.file-too-large": "Le fichier fait {size_mb} Mo ; les images sont "
    "acceptées jusqu'à {limit_mb} Mo.",
    "results.upload.error.not-image": "Ce fichier n'est pas une image (PNG, JPEG, GIF, BMP, "
    "WebP… sont acceptés).",
    "results.upload.error.too-many-pixels": "L'image fait {width} × {height} pixels "
    "({megapixels} mégapixels) ; les images sont acceptées jusqu'à {limit} mégapixels.",
    "results.upload.error.damaged": "L'image est endommagée ou tronquée : elle ne peut pas être "
    "lue.",
    "results.download.run_header": "L'entraînement",
    "results.download.run": "Télécharger l'entraînement (.zip)",
    "results.download.run_help": "Sa configuration, ses poids (safetensors) et son historique, "
    "dans une seule archive.",
    "results.download.unsaved": "Cet entraînement n'est pas dans le dossier des entraînements : "
    "il ne peut pas être téléchargé.",
    "results.download.figures": "Figures",
    "results.figure.curves": "Courbes de perte",
    "results.figure.reconstructions": "Reconstructions",
    "results.figure.samples": "Échantillons",
    "results.figure.latent": "Carte latente",
    "results.figure.manifold": "Variété décodée",
    "results.figure.kl": "KL par dimension",
    "results.page.title": "Résultats",
    "results.page.pick": "Entraînement",
    "results.page.none": "Aucun entraînement enregistré pour l'instant. Lancez-en un sur la page "
    "Entraîner : il s'affichera ici.",
    "results.page.load_error": "Impossible d'ouvrir cet entraînement : {error}",
    "results.page.data_missing": "Les images de {dataset} ne sont pas disponibles sur cette "
    "machine ({error}) ; seules les courbes et les échantillons sont affichés.",
    "results.page.data_changed": "Les images de {dataset} diffèrent de celles de cet entraînement "
    "; les onglets qui utilisent les images de test restent vides.",
    "runs.title": "Entraînements",
    "runs.intro": "Chaque entraînement est enregistré dans `{folder}`. Ouvrez-en un pour "
    "l'explorer, comparez-en plusieurs, téléchargez-les ou supprimez-les.",
    "runs.empty": "Aucun entraînement enregistré dans `{folder}` pour l'instant : lancez-en un "
    "sur la page Entraîner.",
    "runs.col.run": "Identifiant",
    "runs.col.model": "Modèle",
    "runs.col.dataset": "Jeu de données",
    "runs.col.latent": "Dim. latente",
    "runs.col.hidden": "Couches conv.",
    "runs.col.likelihood": "Reconstruction",
    "runs.col.beta": "β",
    "runs.col.epochs": "Époques",
    "runs.col.status": "État",
    "runs.col.loss": "Perte (test)",
    "runs.col.kl": "KL (test)",
    "runs.col.mse": "MSE (test)",
    "runs.col.updated": "Enregistré le",
    "runs.col.error": "Problème",
    "runs.status.complete": "terminé",
    "runs.status.stopped": "arrêté",
    "runs.status.broken": "endommagé",
    "runs.status.foreign": "pas un entraînement",
    "runs.foreign": "Dossiers qui ne sont pas des entraînements (sans run.json) : {n}. VAE Lab "
    "n'y touche pas et ne les supprime jamais.",
    "runs.broken": "Entraînements inutilisables : {n}. Le tableau dit pourquoi ; supprimez-les "
    "pour faire le ménage.",
    "runs.select": "Entraînement",
    "runs.open": "Ouvrir",
    "runs.download": "Télécharger (.zip)",
    "runs.delete": "Supprimer",
    "runs.delete_confirm": "Supprimer définitivement {run} ? Ses poids et son historique seront "
    "perdus.",
    "runs.delete_yes": "Oui, supprimer",
    "runs.delete_no": "Annuler",
    "runs.deleted": "{run} a été supprimé.",
    "runs.delete_error": "Impossible de supprimer l'entraînement : {error}",
    "runs.open_fallback": "Entraînement sélectionné : ouvrez la page Résultats pour l'explorer.",
    "runs.compare.header": "Comparer des entraînements",
    "runs.compare.pick": "Entraînements à comparer",
    "runs.compare.hint": "Choisissez au moins deux entraînements pour comparer leurs courbes et "
    "leurs échantillons.",
    "runs.compare.caption": "Courbes sur l'ensemble de test. Des modèles dont les termes de "
    "reconstruction diffèrent ont des pertes à des échelles différentes ; la MSE par pixel permet "
    "de comparer deux entraînements quelconques.",
    "runs.compare.samples": "Échantillons de chaque entraînement (mêmes tirages de z quand les "
    "dimensions latentes sont égales)",
    "runs.compare.load_error": "Impossible d'ouvrir {run} : {error}",
    "plot.epoch": "Époque",
    "plot.step": "Pas",
    "plot.train": "entraînement",
    "plot.test": "test",
    "plot.loss": "Perte totale (nats par image)",
    "plot.recon": "Reconstruction (nats par image)",
    "plot.kl": "Divergence KL (nats par image)",
    "plot.sigma": "σ du décodeur",
    "plot.mse": "MSE par pixel",
    "plot.latent_dim": "Dimension latente",
    "plot.kl_per_dim": "KL moyenne (nats)",
    "plot.active": "active ({n})",
    "plot.inactive": "inactive ({n})",
    "plot.latent_axis": "z{i}",
    "plot.pc_axis": "CP {i} ({pct} % de la variance)",
    "plot.images": "images de test",
    "plot.your_image": "votre image",
    "plot.class": "Classe",
    "runs.compare.placeholder": "Choisissez des entraînements",
    "results.trav.placeholder": "Choisissez des dimensions",
    # --- end results ---
    # --- compare page and metrics tab ---
    "compare.title": "Comparer : l'expérience du σ-VAE",
    "compare.intro": "Rybkin et al. (2020) ont entraîné un même réseau de plusieurs façons : un "
    "**VAE gaussien** à σ = 1 (ici aussi le **VAE MSE**, l'erreur quadratique, σ² = ½), des "
    "**β-VAE** pour β de 0,1 à 0,00001, et un **σ-VAE** dont le σ "
    "du décodeur prend sa valeur optimale. Ils rapportent que le σ-VAE, entraîné une seule fois, "
    "fait aussi bien que le meilleur β, qu'il a fallu tout un balayage pour trouver. Cette page "
    "refait l'expérience, avec le même réseau, la même graine et le même nombre d'époques pour "
    "chaque modèle, mesure chacun sur les images de test et dit ce que montrent les chiffres ici, "
    "quels qu'ils soient. Les entraînements déjà en cache sont réutilisés : les "
    "modèles que vous avez déjà entraînés ne coûtent rien, et une comparaison arrêtée reprend là "
    "où elle s'était arrêtée.",
    "compare.betas": "β des lignes β-VAE",
    "compare.betas_help": "Un β-VAE est entraîné pour chaque β choisi. Avec l'erreur "
    "quadratique, β joue le rôle de 2σ² : chaque β est une hypothèse sur le bruit du décodeur.",
    "compare.betas_none": "Choisissez au moins un β : la comparaison a besoin d'un β-VAE.",
    "compare.hidden_none": "Choisissez au moins une couche de convolution.",
    "compare.iwae_k": "Échantillons IWAE par image (k)",
    "compare.iwae_k_help": "Échantillons d'importance de la borne IWAE (Burda et al. 2016) : "
    "plus il y en a, plus l'estimation de −log p(x) est serrée, mais lente.",
    "compare.iwae_images": "Images de test pour les bornes de vraisemblance",
    "compare.iwae_images_help": "L'ELBO et la borne IWAE sont calculées sur les mêmes premières "
    "images de test (toutes s'il y en a moins) ; 0 omet la borne IWAE, et l'ELBO utilise alors "
    "toutes les images de test.",
    "compare.fd_images": "Images pour la FD",
    "compare.fd_images_help": "Échantillons et images de test comparés par la distance de "
    "Fréchet dans les caractéristiques d'un petit classifieur entraîné sur le jeu de données "
    "(ce n'est pas une FID) ; 0 l'omet.",
    "compare.plan": "{total} modèles partagent ce réseau. Déjà en cache : {cached} (réutilisés "
    "sans coût) ; à entraîner : {todo}.",
    "compare.start": "Lancer la comparaison",
    "compare.running": "Comparaison de **{n} modèles** sur {dataset}",
    "compare.classifier": "Entraînement du classifieur dont la FD utilise les caractéristiques "
    "(une fois par jeu de données)…",
    "compare.progress": "Modèle {index}/{total} : {model}",
    "compare.phase.train": "entraînement, époque {epoch}/{epochs}",
    "compare.phase.evaluate": "mesure : {stage}",
    "compare.phase.done": "tirage des échantillons",
    "compare.phase.prepare": "préparation",
    "compare.elapsed": "temps écoulé {time}",
    "compare.eta": "encore environ {time}",
    "compare.state.pending": "en attente",
    "compare.state.train": "entraînement ({percent} %)",
    "compare.state.evaluate": "mesure ({percent} %)",
    "compare.state.done": "terminé en {time}",
    "compare.state.cached": "réutilisé depuis le cache",
    "compare.stopping": "Arrêt après le pas en cours ; le modèle en entraînement est sauvegardé.",
    "compare.failed": "La comparaison a échoué : {reason}",
    "compare.cancelled": "Comparaison annulée avant d'avoir commencé.",
    "compare.result.header": "Dernière comparaison",
    "compare.result.summary": "{dataset} · z = {latent} · couches {layers} · époques : {epochs} "
    "· graine {seed}",
    "compare.result.complete": "Comparaison terminée en {time} : {trained} modèles entraînés, "
    "{cached} réutilisés depuis le cache.",
    "compare.result.stopped": "Arrêtée après {done} modèles sur {total}, en {time}. Les modèles "
    "terminés et celui en cours d'entraînement sont sauvegardés : relancez avec les mêmes "
    "réglages pour continuer.",
    "compare.figure.header": "Échantillons",
    "compare.figure.caption": "Chaque ligne décode les mêmes {n} tirages de z ~ N(0, I) avec un "
    "modèle (la figure de l'article du σ-VAE) : les différences entre les lignes viennent des "
    "modèles.",
    "compare.table.header": "Mesures",
    "compare.table.caption": "↓ plus bas est meilleur, ↑ plus haut est meilleur ; la meilleure "
    "valeur de chaque colonne est surlignée. Les bits/dim sont le −log₂ de la probabilité des "
    "images de test 8 bits selon un décodeur gaussien dont le σ est ajusté sur l'ensemble "
    "d'entraînement après l'entraînement, discrétisé sur les 256 niveaux comme dans les "
    "articles : une même mesure pour toutes les pertes. Ce σ est la RMSE d'entraînement : les "
    "bits/dim et le PSNR découlent tous deux de l'erreur de reconstruction, ce ne sont pas des "
    "preuves indépendantes. FD : distance de Fréchet dans les caractéristiques d'un petit "
    "classifieur entraîné sur le jeu de données (ce n'est pas une FID).",
    "compare.table.empty": "Aucun modèle n'a encore été mesuré.",
    "compare.findings.header": "Ce que montrent les chiffres",
    "compare.findings.none": "Les conclusions demandent le VAE gaussien, un β-VAE et le σ-VAE, "
    "tous mesurés.",
    "compare.download.png": "Figure (PNG)",
    "compare.download.csv": "Tableau (CSV)",
    "compare.download.md": "Rapport (Markdown)",
    "compare.row.gaussian-vae": "VAE gaussien",
    "compare.row.mse-vae": "VAE MSE",
    "compare.row.beta-vae": "β-VAE, β = {beta}",
    "compare.row.sigma-vae": "σ-VAE",
    "compare.table.model": "Modèle",
    "compare.table.epochs": "Époques",
    "compare.col.iwae_bits_per_dim": "IWAE bits/dim",
    "compare.col.elbo_bits_per_dim": "ELBO bits/dim",
    "compare.col.recon_psnr_db": "PSNR (dB)",
    "compare.col.fd_classifier_features": "FD (caractéristiques du classifieur)",
    "compare.col.test_kl": "KL (nats)",
    "compare.col.active_units": "unités actives",
    "compare.col.calibrated_sigma": "σ calibré",
    "compare.finding.ranking": "Sur {metric}, le meilleur modèle est le {best} ; le σ-VAE est "
    "classé {rank} sur {rows}.",
    "compare.finding.versus_beta": "Le σ-VAE, entraîné une seule fois avec β = 1, obtient "
    "{sigma_value} contre {best_beta_value} pour le meilleur β-VAE (β = {best_beta}), trouvé en "
    "entraînant un β-VAE par β essayé : {betas}.",
    "compare.finding.paired_difference": "Sur les mêmes {images} images de test, image par "
    "image, le σ-VAE moins le meilleur β-VAE vaut {difference} {metric}, avec une erreur type "
    "de {standard_error}.",
    "compare.finding.versus_gaussian": "Le VAE gaussien (σ = 1) obtient {gaussian_value}.",
    "compare.finding.implied_beta": "Le σ optimal du σ-VAE vaut {sigma} : pour un β-VAE avec "
    "l'erreur quadratique, cela correspond à β = 2σ² = {implied_beta}.",
    "compare.finding.not_independent": "Les {metric} et le {psnr} ne sont pas des preuves "
    "indépendantes : le σ du décodeur est ajusté sur l'erreur de reconstruction, les deux en "
    "découlent.",
    "metrics.stage.calibrate": "ajustement de σ sur l'ensemble d'entraînement",
    "metrics.stage.test": "ELBO sur l'ensemble de test",
    "metrics.stage.iwae": "borne IWAE",
    "metrics.stage.samples": "qualité des échantillons (FD)",
    "results.tab.metrics": "Mesures",
    "results.metrics.none": "Pas encore mesuré. La mesure prend de quelques secondes à une ou "
    "deux minutes sur un CPU, et le résultat est sauvegardé avec l'entraînement.",
    "results.metrics.measure": "Mesurer",
    "results.metrics.remeasure": "Mesurer à nouveau",
    "results.metrics.measure_help": "Bornes de vraisemblance (ELBO, et IWAE avec k = {k}, sur "
    "les {images} premières images de test), reconstructions, unités actives et FD de {fd} "
    "échantillons.",
    "results.metrics.starting": "Démarrage…",
    "results.metrics.measuring": "Mesure : {stage}…",
    "results.metrics.no_data": "Les images de cet entraînement ne sont pas chargées : il ne peut "
    "pas être mesuré ici.",
    "results.metrics.unsaved": "Cet entraînement n'est pas dans le dossier des entraînements : "
    "ses mesures ne peuvent pas être sauvegardées.",
    "results.metrics.changed": "L'entraînement a été sauvegardé à nouveau pendant la mesure "
    "(entraîné davantage ?) : mesurez-le à nouveau.",
    "results.metrics.failed": "La mesure a échoué : {reason}",
    "results.metrics.col.metric": "Mesure",
    "results.metrics.col.value": "Valeur",
    "results.metrics.col.better": "Meilleur",
    "results.metrics.col.meaning": "Ce qu'elle mesure",
    "results.metrics.lower": "↓ plus bas",
    "results.metrics.higher": "↑ plus haut",
    "results.metrics.caption": "Graine {seed} ; l'ELBO et la borne IWAE (k = {k}) sur les mêmes "
    "{images} premières des {n_test} images de test, ± une erreur type sur ces images. Les nats "
    "sont par image, sommés sur ses {pixels} valeurs de pixels ; les bits/dim sont ceux de la "
    "probabilité des pixels 8 bits, comme dans les articles. Les bits/dim et le PSNR découlent "
    "tous deux de l'erreur de reconstruction (σ est ajusté sur elle) : ce ne sont pas des preuves "
    "indépendantes.",
    "results.metrics.stale": "Ces mesures ont été prises par une version antérieure de VAE Lab, "
    "dont les bits/dim étaient ceux d'une densité, non comparables aux articles : mesurez à "
    "nouveau.",
    "results.metrics.fd_reference": "FD sur {n} échantillons ; des images d'entraînement "
    "comparées aux mêmes images de test donnent {fd}, ce qu'obtiendrait un modèle parfait.",
    "results.metrics.fd_missing": "Pas de FD : {reason}.",
    "results.metrics.download": "Télécharger metrics.json",
    "metrics.name.iwae_bits_per_dim": "IWAE bits/dim",
    "metrics.help.iwae_bits_per_dim": "−log₂ P(x) par valeur de pixel, estimé avec k "
    "échantillons d'importance par image (Burda et al. 2016), selon un décodeur gaussien dont "
    "le σ est ajusté sur l'ensemble d'entraînement, discrétisé sur les 256 niveaux (le plus bas "
    "et le plus haut prennent les queues) : une probabilité de l'image 8 bits, dans l'unité des "
    "tableaux de vraisemblance des articles, et la borne la plus serrée ici. Une même mesure "
    "pour toutes les pertes ; surtout fonction de l'erreur de reconstruction, sur laquelle σ "
    "est ajusté.",
    "metrics.name.elbo_bits_per_dim": "ELBO bits/dim",
    "metrics.help.elbo_bits_per_dim": "L'ELBO négative en bits par valeur de pixel selon le même "
    "décodeur gaussien discrétisé : une borne moins serrée que la borne IWAE.",
    "metrics.name.model_iwae_bits_per_dim": "IWAE bits/dim (échelle propre du σ-VAE)",
    "metrics.help.model_iwae_bits_per_dim": "Les IWAE bits/dim avec la loi et l'échelle propres "
    "du σ-VAE (apprise, ou optimale sur l'ensemble d'entraînement), discrétisées sur les 256 "
    "niveaux.",
    "metrics.name.model_elbo_bits_per_dim": "ELBO bits/dim (échelle propre du σ-VAE)",
    "metrics.help.model_elbo_bits_per_dim": "Les ELBO bits/dim avec la loi et l'échelle propres "
    "du σ-VAE, discrétisées sur les 256 niveaux.",
    "metrics.name.discrete_iwae_nll": "Borne IWAE, discrète (nats)",
    "metrics.help.discrete_iwae_nll": "Les IWAE bits/dim en nats par image : −log P(x) de "
    "l'image 8 bits.",
    "metrics.name.discrete_neg_elbo": "ELBO négative, discrète (nats)",
    "metrics.help.discrete_neg_elbo": "Les ELBO bits/dim en nats par image.",
    "metrics.name.test_neg_elbo": "ELBO négative (nats)",
    "metrics.help.test_neg_elbo": "La perte d'un VAE avec β = 1 selon la vraisemblance propre "
    "au modèle, sur les images de test : reconstruction + KL. Une borne supérieure de −log p(x), "
    "comparable seulement entre modèles de même vraisemblance ; pour l'entropie croisée de "
    "Bernoulli sur des pixels gris, ce n'est pas du tout une vraisemblance.",
    "metrics.name.test_recon": "Terme de reconstruction (nats)",
    "metrics.help.test_recon": "−log p(x | z) selon le décodeur du modèle, avec un z tiré de "
    "q(z | x) par image de test.",
    "metrics.name.test_kl": "Terme KL (nats)",
    "metrics.help.test_kl": "KL(q(z | x) ‖ p(z)) moyennée sur les images de test : ce que le "
    "code dit de l'image.",
    "metrics.name.calibrated_neg_elbo": "ELBO négative, densité continue (nats)",
    "metrics.help.calibrated_neg_elbo": "L'ELBO négative selon la gaussienne calibrée vue comme "
    "une densité sur [0, 1] plutôt qu'une probabilité des 256 niveaux : une densité continue, "
    "non comparable aux articles.",
    "metrics.name.iwae_nll": "Borne IWAE (nats)",
    "metrics.help.iwae_nll": "Estimation de −log p(x) pondérée par importance, avec k "
    "échantillons par image (Burda et al. 2016), selon la vraisemblance du modèle ; plus serrée "
    "que l'ELBO négative.",
    "metrics.name.iwae_nll_calibrated": "Borne IWAE, densité continue (nats)",
    "metrics.help.iwae_nll_calibrated": "La borne IWAE selon la gaussienne calibrée vue comme "
    "une densité sur [0, 1] : une densité continue, non comparable aux articles.",
    "metrics.name.recon_mse": "MSE de reconstruction (par pixel)",
    "metrics.help.recon_mse": "Erreur quadratique moyenne entre les images de test et leurs "
    "reconstructions depuis la moyenne a posteriori μ, pixels dans [0, 1].",
    "metrics.name.recon_psnr_db": "PSNR (dB)",
    "metrics.help.recon_psnr_db": "Rapport signal sur bruit de crête de ces reconstructions, "
    "10 log₁₀(1 / MSE) : plus haut est plus net.",
    "metrics.name.active_units": "Unités actives",
    "metrics.help.active_units": "Dimensions latentes dont la moyenne a posteriori change d'une "
    "image à l'autre (variance supérieure à 0,01, Burda et al. 2016) ; les autres ne portent "
    "aucune information.",
    "metrics.name.calibrated_sigma": "σ calibré",
    "metrics.help.calibrated_sigma": "σ du décodeur gaussien calibré : la racine de l'erreur "
    "quadratique moyenne de reconstruction sur l'ensemble d'entraînement.",
    "metrics.name.model_scale": "σ du décodeur (σ-VAE)",
    "metrics.help.model_scale": "L'échelle propre du σ-VAE : apprise, ou pour le σ optimal la "
    "valeur qui convient le mieux aux images de test.",
    "metrics.name.fd_classifier_features": "FD (caractéristiques du classifieur)",
    "metrics.help.fd_classifier_features": "Distance de Fréchet entre échantillons et images de "
    "test dans les caractéristiques d'un petit classifieur entraîné sur le jeu de données. Elle "
    "mesure la qualité des échantillons comme la FID, mais ce n'est pas une FID : ne la comparez "
    "pas aux FID publiées.",
    "metrics.name.real_fid": "FID (Inception)",
    "metrics.help.real_fid": "La vraie Fréchet Inception Distance, calculée avec torch-fidelity "
    "quand il est installé avec ses poids.",
    # --- end compare ---
    # --- latent lab (session 4) ---
    "lab.map.prior_ring": "a priori N(0, I) : {k}σ",
    "sidebar.beta_zero": "β = 0 n'est pas un VAE : c'est un simple autoencodeur. Rien ne "
    "rapproche ses codes de l'a priori, sa carte latente a donc des trous, et il ne rapporte que "
    "ses reconstructions (ni ELBO, ni bits/dim). Entraînez les mêmes réglages avec β = 1 et "
    "ouvrez les deux dans l'onglet Labo.",
    "results.metrics.autoencoder": "Ce run a β = 0 : c'est un simple autoencodeur, pas un VAE. "
    "Rien n'ajuste les variances de son encodeur ni ne rapproche ses codes de l'a priori : il "
    "n'a ni ELBO, ni borne IWAE, ni bits/dim ; seuls ses reconstructions, ses latents et ses "
    "échantillons sont mesurés.",
    "results.tab.lab": "Labo",
    "lab.autoencoder": "Ce run a β = 0 : c'est un simple autoencodeur, pas un VAE. Rien n'a "
    "rapproché ses codes de l'a priori, sa carte a donc des trous : cliquez entre les groupes, "
    "ou loin d'eux, et le décodeur dessine n'importe quoi. Entraînez les mêmes réglages avec β = "
    "1 et comparez.",
    "lab.draw_header": "Dessinez, et voyez la loi a posteriori",
    "lab.brush": "Taille du pinceau (pixels du canevas)",
    "lab.brush_help": "Largeur du trait sur le canevas de 280 pixels ; environ 20 donne des "
    "traits aussi épais que ceux de MNIST.",
    "lab.canvas_caption": "Dessinez en blanc sur noir à la souris ou au doigt. Survolez ou "
    "touchez le canevas pour sa barre d'outils : annuler, rétablir, et réinitialiser pour "
    "l'effacer.",
    "lab.colour": "Le dessin demande un run sur des images en gris ; celui-ci est en couleur. "
    "Encodez votre propre image dans l'onglet Votre image ; la carte et les curseurs ci-dessous "
    "marchent pour tout run.",
    "lab.draw_prompt": "Dessinez un chiffre sur le canevas : son image telle que le modèle la "
    "reçoit, sa reconstruction, sa loi a posteriori q(z | x) sur la carte, des tirages de cette "
    "loi et son KL à l'a priori apparaissent ici.",
    "lab.input": "Ce que reçoit le modèle",
    "lab.reconstruction": "Reconstruction",
    "lab.kl": "KL(q(z | x) ‖ p(z))",
    "lab.nats": "{value} nats",
    "lab.kl_help": "L'écart entre la loi a posteriori de votre dessin et l'a priori N(0, I) : "
    "l'information, en nats, que son code porte sur lui.",
    "lab.inverted": "Les images du run sont sombres sur fond clair : votre dessin a été inversé "
    "pour leur ressembler.",
    "lab.samples": "{n} codes tirés de q(z | x), décodés : ce dont le modèle n'est pas sûr "
    "varie de l'un à l'autre.",
    "lab.posterior_ring": "q(z | x) : {k}σ",
    "lab.mark.drawing": "votre dessin",
    "lab.mark.click": "clic {n}",
    "lab.map_header": "Cliquez sur la carte latente",
    "lab.map_caption_latent": "Les codes des images de test (moyennes a posteriori), colorés "
    "par classe, et en pointillés les cercles 1σ et 2σ de l'a priori. Cliquez n'importe où : ce "
    "point est décodé.",
    "lab.map_caption_pca": "Les codes de dimension {d} sur leurs deux premiers axes principaux. "
    "Un clic décode le point de ce plan : les autres coordonnées sont celles de la moyenne des "
    "données.",
    "lab.click_prompt": "Cliquez sur la carte pour décoder un point de l'espace latent.",
    "lab.clicked": "Le point cliqué, décodé",
    "lab.click_again": "Cliquez un second point pour voir le chemin entre les deux.",
    "lab.path": "Le chemin en ligne droite entre les deux clics, décodé",
    "lab.forget_clicks": "Oublier les clics",
    "lab.sliders_header": "Faites glisser le code latent",
    "lab.sliders_from.prior": "Les curseurs partent du centre de l'a priori, z = 0.",
    "lab.sliders_from.drawing": "Les curseurs partent de la moyenne a posteriori de votre dessin.",
    "lab.sliders_from.click": "Les curseurs partent du point cliqué.",
    "lab.sliders_all": "Un curseur par dimension latente ({d}).",
    "lab.sliders_top": "Les {n} dimensions de plus grand KL, sur {d} ; les autres restent à "
    "leur point de départ.",
    "lab.slider": "z{i}",
    "lab.slider_image": "Décodé depuis les curseurs",
    "lab.map_posterior": "En noir : la loi a posteriori q(z | x) de votre dessin, sa moyenne "
    "(le losange) et ses ellipses 1σ et 2σ.",
    # --- end latent lab ---
    # --- science tools (session 4) ---
    "likelihood.gaussian-unit": "Gaussienne, σ = 1 (le VAE gaussien de l'article du σ-VAE)",
    "scale.learned-per-pixel": "appris, un par pixel",
    "sidebar.kl_warmup": "Montée progressive du KL (pas)",
    "sidebar.kl_warmup_help": "β croît linéairement de 0 à sa valeur sur ce nombre de pas "
    "d'optimisation (Bowman et al. 2016 ; Sønderby et al. 2016), pour que le décodeur apprenne à "
    "se servir du code avant que le KL ne le ramène vers l'a priori. 0 la désactive. Tant "
    "qu'elle agit, la perte d'entraînement n'est pas une ELBO exacte ; la perte de test et les "
    "mesures restent exactes.",
    "sidebar.free_bits": "Bits libres λ (nats par dimension latente)",
    "sidebar.free_bits_help": "Le KL de chaque dimension latente, moyenné sur le lot, compte "
    "pour au moins λ nats dans la perte d'entraînement (Kingma et al. 2016) : aucune dimension ne "
    "gagne à s'effondrer sur l'a priori. 0 les désactive. Avec eux, la perte d'entraînement "
    "n'est pas une ELBO exacte ; la perte de test et les mesures restent exactes.",
    "sidebar.grad_clip": "Écrêtage du gradient (norme maximale)",
    "sidebar.grad_clip_help": "Avant chaque pas, le gradient de l'ensemble des poids est ramené "
    "à cette longueur s'il est plus long (Pascanu et al. 2013). 0 le désactive. Il change les "
    "pas, pas la perte : sur l'échantillon MNIST hors ligne, une norme de 1 a rendu les "
    "échantillons de l'entraînement par défaut lisibles comme des chiffres plus régulièrement "
    "d'une graine à l'autre.",
    "train.surrogate_loss": "Avec la montée du KL ou les bits libres, la perte d'entraînement "
    "n'est pas une ELBO exacte ; la perte de test et les mesures sont les vraies.",
    "dataset.mnist-binarized": "MNIST binarisé",
    "dataset.mnist-5k-binarized": "MNIST 5k binarisé (hors ligne)",
    "metrics.name.mutual_information": "Information mutuelle I(x ; z) (nats)",
    "metrics.help.mutual_information": "Ce que le code dit de l'image, estimé sur les "
    "premières images de test (2 000 au plus) avec l'estimateur par lot de He et al. 2019 et "
    "Dieng et al. 2019 : au plus ln du nombre d'images. Le terme KL est cette information plus "
    "le KL du postérieur agrégé à l'a priori (Hoffman & Johnson 2016) ; proche de 0, le "
    "postérieur s'est effondré.",
    "results.kl.information": "I(x ; z) (nats)",
    "results.kl.history": "KL de chaque dimension latente après chaque époque (nats), sur les "
    "{images} premières images de test : une dimension qui tombe à 0 s'est effondrée sur l'a "
    "priori.",
    "compare.finding.post_hoc": "Le classement sur {metric} compare des modèles entraînés "
    "avec des vraisemblances différentes sous un même décodeur gaussien dont le σ est ajusté "
    "sur l'ensemble d'entraînement après coup : un encodeur entraîné pour un autre σ (σ = 1 pour "
    "le VAE gaussien, σ² = β/2 pour le VAE MSE et les β-VAE) en est pénalisé, ce que la borne "
    "IWAE ne rattrape qu'en partie.",
    "compare.finding.k_converged": "La borne IWAE de chaque modèle bouge de moins de "
    "{threshold} bit/dim de k = {k_low} à k = {k_high} échantillons.",
    "compare.finding.k_unconverged": "La borne IWAE n'a pas convergé pour tous les modèles : de "
    "k = {k_low} à k = {k_high} échantillons, elle baisse encore de plus de {threshold} bit/dim "
    "pour {moves} ; plus d'échantillons la feraient encore baisser et pourraient changer le "
    "classement.",
    # --- end science tools ---
    # --- reload and live panel (session 4) ---
    "live.pause": "Pause",
    "live.resume": "Reprendre",
    "live.step": "Avancer",
    "live.steps": "Pas",
    "live.steps_help": "Nombre de pas d'optimisation qu'« Avancer » exécute avant de se remettre "
    "en pause (de 1 à {max}).",
    "live.paused": "En pause entre deux pas : rien n'est perdu. « Avancer » exécute le nombre de "
    "pas choisi puis se remet en pause ; « Reprendre » continue.",
    "live.paused_progress": "En pause · époque {epoch}/{epochs} · pas {step}/{steps}",
    "runs.running.header": "En cours",
    "runs.running.compare_progress": "{percent} % fait",
    "runs.running.watch": "Suivre",
    "runs.running.watch_fallback": "Ouvrez la page Entraîner ou Comparer pour le suivre.",
    "live.pc_axis": "axe principal {i}",
    "live.latent_caption": "Carte latente : les moyennes a posteriori de {n} images de test, "
    "colorées par classe, après {epoch} époques. En pointillés, les cercles 1σ et 2σ de l'a "
    "priori ; on voit les classes se séparer et le nuage s'y installer.",
    "live.latent_caption_pca": "Carte latente : les moyennes a posteriori de {n} images de test "
    "sur les deux axes principaux calculés au début de l'entraînement (fixes, pour que le "
    "mouvement se voie), après {epoch} époques. En pointillés, les cercles 1σ et 2σ de l'a "
    "priori.",
    # --- end reload and live panel ---
    # --- student polish: uploads, own data, waits, first results (session 4) ---
    "upload.hint": "Un fichier {types}, jusqu'à {mb} Mo.",
    "upload.browse": "Parcourir",
    "upload.refused": "Refusé : seul un fichier {types} de {mb} Mo au plus est accepté ici.",
    "select.no_results": "Aucun résultat",
    "sidebar.own_path_not_found": "Aucun dossier ni fichier à cet endroit : {path}",
    "results.drawing": "Dessin en cours…",
    "results.samples.poor.tiny_beta": "Avec β = {beta}, le terme KL ne compte presque pas : les "
    "codes des images d'entraînement s'étalent loin de l'a priori N(0, I), si bien que les codes "
    "tirés de l'a priori tombent là où aucune image n'a été encodée et donnent des mélanges, pas "
    "des chiffres. Rapprochez β de 1 pour de bons échantillons.",
    "results.samples.poor.large_latent": "Avec {latent} dimensions latentes et {epochs} époques, "
    "les codes des images d'entraînement ne remplissent pas encore l'a priori N(0, I) : beaucoup "
    "de codes qui en sont tirés tombent entre eux et donnent des formes entre deux chiffres. Une "
    "taille latente plus petite (la valeur par défaut est {default}) ou plus d'époques donnent "
    "davantage d'échantillons qui se lisent comme des chiffres.",
    "estimate.training": "Environ {time} sur cette machine, d'après sa vitesse mesurée.",
    "estimate.comparison": "Environ {time} sur cette machine, d'après sa vitesse mesurée (les "
    "lignes trouvées dans le cache ne prennent qu'un instant).",
    "estimate.queue": "{n} tâche(s) en cours ou en attente passent avant.",
    "runs.import.title": "Importer un entraînement",
    "runs.import.label": "Le .zip d'un entraînement",
    "runs.import.help": "Une archive faite par le bouton Télécharger d'un entraînement ou par "
    "`vaelab runs export`. Elle est entièrement vérifiée avant que rien ne soit ajouté.",
    "runs.import.overwrite": "Remplacer un entraînement de même identifiant",
    "runs.import.button": "Importer",
    "runs.import.done": "{run} importé : il est ouvert dans la page Résultats.",
    "runs.import.error": "Cette archive ne peut pas être importée : {reason}",
    "estimate.measuring": "Mesure de la vitesse de cette machine pour estimer la durée…",
    # --- end student polish ---
    # --- measure job (session 5) ---
    "results.metrics.queued": "En attente de la fin de {ahead} tâche(s) ; la mesure démarrera "
    "toute seule.",
    "results.metrics.background": "En cours en arrière-plan depuis {elapsed} : les autres "
    "onglets et pages répondent pendant ce temps, et quitter cette page ne l'arrête pas.",
    "results.metrics.busy_other": "Un autre de vos entraînements est en cours de mesure : une "
    "mesure à la fois. Le bouton Mesurer revient quand elle est finie.",
    # --- end measure job ---
    # --- compare reference (session 6) ---
    "compare.finding.fd_classifier": "La {metric} est mesurée dans les caractéristiques d'un "
    "classifieur d'exactitude {accuracy} sur le test, sur {samples} échantillons et autant "
    "d'images de test.",
    "compare.finding.fd_classifier_weak": "La {metric} est mesurée dans les caractéristiques "
    "d'un classifieur dont l'exactitude sur le test n'est que de {accuracy}, sur {samples} "
    "échantillons et autant d'images de test : des caractéristiques qui distinguent si mal les "
    "classes disent peu des échantillons, et la {metric} classe donc peu les modèles.",
    "compare.finding.fd_column": "(classifieur {accuracy}, {samples} échantillons)",
    "compare.samples": "Échantillons par ligne de la figure",
    "compare.reference.header": "Référence publiée",
    "compare.reference.earlier": "Référence publiée sur {dataset}",
    "compare.reference.intro": "Ce que donne l'expérience de l'article avec ces réglages, "
    "calculé une fois et livré avec VAE Lab : rien n'est entraîné ni mesuré pour l'afficher. "
    "**{start}** ci-dessus la refait, en direct, sur cette machine (les modèles "
    "déjà en cache sont réutilisés).",
    "compare.reference.made": "Obtenue par `{command}`, terminée le {date} après {time} de calcul.",
    "compare.reference.made_undated": "Obtenue par `{command}` en {time} de calcul.",
    "compare.reference.one_seed": "Une seule graine ({seed}) : avec une autre graine, des "
    "modèles aux chiffres proches peuvent échanger leurs places.",
    "compare.reference.differs": "Vos réglages ci-dessus diffèrent de ceux de cette référence "
    "pour : {settings}. Lancez la comparaison pour des résultats avec les vôtres.",
    "compare.reference.none": "Pas de référence publiée sur {dataset} : lancez la comparaison "
    "pour voir ce qu'elle donne.",
    "compare.reference.broken": "Les références publiées ne peuvent pas être lues : {reason}",
    "compare.reference.sample": "Il n'y a pas de référence publiée sur tout {dataset} : celle-ci "
    "porte sur `{sample}`, un échantillon de ses images d'entraînement, sur lequel seul "
    "elle a été entraînée et mesurée. Ses chiffres ne sont pas ceux de {dataset}.",
    # --- end compare reference ---
    # --- runs page (session 6) ---
    "runs.compare.too_many": "Au plus {most} entraînements sont comparés à la fois : les {most} "
    "premiers choisis sont montrés. Retirez-en un pour en ajouter un autre.",
    # --- end runs page ---
    # --- seeds (session 7) ---
    "compare.seeds.header": "Sur {n} graines",
    "compare.seeds.caption": "La figure, le tableau et les constats ci-dessus sont ceux de la "
    "graine {seed}.",
    "compare.seeds.finding.table": "La même comparaison avec les graines {seeds} : moyenne ± "
    "erreur type entre graines (écart type de l'échantillon / √{n}), la meilleure moyenne en "
    "gras.",
    "compare.seeds.caption_one": "La même comparaison avec une seule graine ({seed}) : pas "
    "d'erreur type, et rien pour dire si le classement tient avec une autre graine.",
    "compare.reference.seeds": "Graines {seeds} : ce qui tient pour chaque graine est résumé "
    "plus bas ; la figure, le tableau et les constats sont ceux de la graine {seed}.",
    "compare.seeds.finding.one_seed": "Une seule graine ({seed}) : rien ici ne dit si le "
    "classement tient avec une autre graine.",
    "compare.seeds.finding.best_every": "En {metric}, le {best} a la meilleure moyenne et est le "
    "meilleur pour chacune des {n} graines ; le σ-VAE est classé {ranks} sur {rows} pour les "
    "graines {seeds}.",
    "compare.seeds.finding.best_some": "En {metric}, le {best} a la meilleure moyenne mais n'est "
    "le meilleur que pour {count} des {n} graines : le meilleur modèle change avec la graine. "
    "Le σ-VAE est classé {ranks} sur {rows} pour les graines {seeds}.",
    "compare.seeds.finding.difference_one": "En {metric}, σ-VAE − meilleur β-VAE "
    "(β = {best_beta}) : {difference}, pour une seule graine, sans dispersion entre graines "
    "pour en juger.",
    "compare.seeds.finding.difference_better_every": "En {metric}, σ-VAE − meilleur β-VAE en "
    "moyenne (β = {best_beta}) : {difference} ± {standard_error} (moyenne ± erreur type sur {n} "
    "graines) ; le σ-VAE est le meilleur des deux pour chacune de ces graines ({low} à {high}).",
    "compare.seeds.finding.difference_worse_every": "En {metric}, σ-VAE − meilleur β-VAE en "
    "moyenne (β = {best_beta}) : {difference} ± {standard_error} (moyenne ± erreur type sur {n} "
    "graines) ; le β-VAE est le meilleur des deux pour chacune de ces graines ({low} à {high}).",
    "compare.seeds.finding.difference_mixed": "En {metric}, σ-VAE − meilleur β-VAE en moyenne "
    "(β = {best_beta}) : {difference} ± {standard_error} (moyenne ± erreur type sur {n} "
    "graines) ; son signe change avec la graine ({low} à {high}), ces graines ne disent donc pas "
    "lequel des deux est le meilleur.",
    # --- end seeds ---
}
