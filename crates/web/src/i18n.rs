//! The words on the screens, in English and French, kept as data: one row per message id. Later
//! screens add their rows here and ask for them by id from their templates (`t.get("…")`).

/// A language the screens speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

/// Message id, English, French. A missing id shows the id itself, which a test catches.
const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "Airbridge", "Airbridge"),
    ("nav.logout", "Log out", "Se déconnecter"),
    ("login.title", "Log in", "Connexion"),
    ("login.username", "User name", "Nom d’utilisateur"),
    ("login.password", "Password", "Mot de passe"),
    ("login.submit", "Log in", "Se connecter"),
    (
        "login.failed",
        "Wrong user name or password.",
        "Nom d’utilisateur ou mot de passe incorrect.",
    ),
    (
        "login.locked",
        "This account is locked after repeated failed logins. Try again later, or ask an administrator to unlock it.",
        "Ce compte est verrouillé après plusieurs échecs de connexion. Réessayez plus tard ou demandez à un administrateur de le déverrouiller.",
    ),
    (
        "login.too_many",
        "Too many login attempts from this address. Wait a minute and try again.",
        "Trop de tentatives de connexion depuis cette adresse. Attendez une minute et réessayez.",
    ),
    (
        "login.logged_out",
        "You are logged out.",
        "Vous êtes déconnecté.",
    ),
    (
        "login.expired",
        "Please log in to continue.",
        "Veuillez vous connecter pour continuer.",
    ),
    ("totp.title", "Second factor", "Second facteur"),
    (
        "totp.prompt",
        "Enter the six-digit code from your authenticator app.",
        "Saisissez le code à six chiffres de votre application d’authentification.",
    ),
    ("totp.code", "Code", "Code"),
    ("totp.submit", "Confirm", "Valider"),
    (
        "totp.failed",
        "That code is not valid. Check your phone’s clock and try the next code.",
        "Ce code n’est pas valide. Vérifiez l’heure de votre téléphone et essayez le code suivant.",
    ),
    (
        "enrol.title",
        "Set up your second factor",
        "Configurer votre second facteur",
    ),
    (
        "enrol.explain",
        "Administrators must use a second factor. Add this account to an authenticator app (for example with the link or the key below), then enter the code it shows.",
        "Les administrateurs doivent utiliser un second facteur. Ajoutez ce compte à une application d’authentification (par exemple avec le lien ou la clé ci-dessous), puis saisissez le code affiché.",
    ),
    ("enrol.key", "Key", "Clé"),
    ("enrol.link", "Link for the app", "Lien pour l’application"),
    (
        "setup.title",
        "Create the first administrator",
        "Créer le premier administrateur",
    ),
    (
        "setup.explain",
        "This server has no account yet. This page works once and for one hour.",
        "Ce serveur n’a encore aucun compte. Cette page ne sert qu’une fois, pendant une heure.",
    ),
    ("setup.display_name", "Full name", "Nom complet"),
    (
        "setup.password_again",
        "Password again",
        "Mot de passe (confirmation)",
    ),
    ("setup.submit", "Create the account", "Créer le compte"),
    (
        "setup.gone",
        "This setup link was used already or has expired. Use `airbridge users add` on the server.",
        "Ce lien de configuration a déjà servi ou a expiré. Utilisez `airbridge users add` sur le serveur.",
    ),
    (
        "setup.mismatch",
        "The two passwords differ.",
        "Les deux mots de passe sont différents.",
    ),
    (
        "setup.done",
        "The administrator account is created. Log in with it.",
        "Le compte administrateur est créé. Connectez-vous avec.",
    ),
    (
        "password.too_short",
        "The password is too short: use at least 12 characters (a few words work well).",
        "Le mot de passe est trop court : au moins 12 caractères (quelques mots font l’affaire).",
    ),
    ("dashboard.title", "Dashboard", "Tableau de bord"),
    (
        "dashboard.signed_in_as",
        "Signed in as",
        "Connecté en tant que",
    ),
    ("dashboard.role", "Role", "Rôle"),
    ("dashboard.nation", "Nation", "Nation"),
    ("dashboard.all_nations", "all nations", "toutes les nations"),
    ("dashboard.gate", "Gate", "Porte"),
    ("dashboard.organisation", "Organisation", "Organisation"),
    (
        "error.forbidden",
        "You may not do this.",
        "Vous n’avez pas le droit de faire cela.",
    ),
    (
        "error.csrf",
        "This form has expired or came from another site. Go back, reload the page and try again.",
        "Ce formulaire a expiré ou vient d’un autre site. Revenez en arrière, rechargez la page et réessayez.",
    ),
    (
        "error.not_found",
        "This page does not exist.",
        "Cette page n’existe pas.",
    ),
    (
        "error.invalid",
        "This request is not valid. Go back, check what was entered and try again.",
        "Cette demande n’est pas valide. Revenez en arrière, vérifiez ce qui a été saisi et réessayez.",
    ),
    (
        "error.conflict",
        "This record changed meanwhile or is not in a state that allows this. Reload the page and try again.",
        "Cet enregistrement a changé entre-temps ou n’est pas dans un état qui le permet. Rechargez la page et réessayez.",
    ),
    (
        "error.too_many",
        "Too many requests. Wait a minute and try again.",
        "Trop de demandes. Attendez une minute et réessayez.",
    ),
    (
        "error.too_large",
        "What was sent is too large.",
        "Ce qui a été envoyé est trop volumineux.",
    ),
    (
        "error.internal",
        "Something went wrong on the server; it has been logged.",
        "Une erreur s’est produite sur le serveur ; elle a été enregistrée.",
    ),
    (
        "role.system_admin",
        "System administrator",
        "Administrateur système",
    ),
    (
        "role.nation_admin",
        "Nation administrator",
        "Administrateur national",
    ),
    ("role.caseworker", "Caseworker", "Agent de traitement"),
    (
        "role.screening_officer",
        "Screening officer",
        "Agent de criblage",
    ),
    ("role.gate_officer", "Gate officer", "Agent de porte"),
    ("role.coordinator", "Coordinator", "Coordinateur"),
    ("role.ngo_submitter", "NGO submitter", "Déposant ONG"),
    ("nav.dashboard", "Dashboard", "Tableau de bord"),
    ("nav.search", "Search", "Recherche"),
    ("nav.screening", "Screening", "Criblage"),
    ("nav.import", "Import", "Import"),
    ("nav.users", "Users", "Utilisateurs"),
    ("nav.audit", "Audit log", "Journal d’audit"),
    (
        "dashboard.by_status",
        "People by nation and status",
        "Personnes par nation et statut",
    ),
    (
        "dashboard.by_category",
        "People by category",
        "Personnes par catégorie",
    ),
    ("dashboard.total", "Total", "Total"),
    (
        "dashboard.no_totals",
        "No totals to show for your role.",
        "Aucun total à afficher pour votre rôle.",
    ),
    (
        "dashboard.partial",
        "Counted over the first 20,000 cases only.",
        "Compté sur les 20 000 premiers dossiers seulement.",
    ),
    ("category.national", "Nationals", "Ressortissants"),
    ("category.local_staff", "Local staff", "Personnel local"),
    ("category.at_risk", "At risk", "Personnes menacées"),
    ("category.undecided", "Not yet decided", "Pas encore décidé"),
    ("search.title", "Search people", "Rechercher des personnes"),
    (
        "search.words",
        "Name, in any script",
        "Nom, dans n’importe quelle écriture",
    ),
    (
        "search.nation",
        "Nation (optional, e.g. FR)",
        "Nation (facultatif, p. ex. FR)",
    ),
    ("search.submit", "Search", "Rechercher"),
    (
        "search.explain",
        "Names containing every word come first, then names the names engine finds close, in Latin or Arabic script.",
        "Les noms contenant tous les mots viennent d’abord, puis ceux que le moteur de noms juge proches, en écriture latine ou arabe.",
    ),
    ("search.none", "Nobody found.", "Personne trouvée."),
    ("search.match", "Match", "Correspondance"),
    ("search.by.words", "all words", "tous les mots"),
    ("search.by.names_engine", "names engine", "moteur de noms"),
    ("person.id", "Id", "Id"),
    ("person.name", "Name", "Nom"),
    ("person.father", "Father", "Père"),
    ("person.grandfather", "Grandfather", "Grand-père"),
    ("person.birth", "Born", "Naissance"),
    ("person.sex", "Sex", "Sexe"),
    ("person.status", "Status", "Statut"),
    ("person.documents", "Documents", "Documents"),
    ("person.phones", "Phones", "Téléphones"),
    (
        "person.vulnerabilities",
        "Vulnerabilities",
        "Vulnérabilités",
    ),
    ("person.history", "Status history", "Historique des statuts"),
    (
        "person.no_history",
        "No change since registration.",
        "Aucun changement depuis l’enregistrement.",
    ),
    ("person.title", "Person", "Personne"),
    (
        "person.no_case",
        "Not in a case yet",
        "Pas encore dans un dossier",
    ),
    ("case.title", "Case", "Dossier"),
    (
        "case.matches",
        "The same person in other records",
        "La même personne dans d’autres fiches",
    ),
    (
        "case.matches_elsewhere",
        "record(s) held by another nation",
        "fiche(s) détenue(s) par une autre nation",
    ),
    ("case.reference", "List reference", "Référence de la liste"),
    ("case.category", "Category", "Catégorie"),
    ("case.eligibility", "Eligibility", "Éligibilité"),
    (
        "case.no_basis",
        "No basis recorded yet.",
        "Aucun motif enregistré.",
    ),
    ("case.members", "Members", "Membres"),
    ("history.at", "When", "Quand"),
    ("history.change", "Change", "Changement"),
    ("history.by", "By", "Par"),
    ("history.where", "Where", "Où"),
    ("history.why", "Why", "Pourquoi"),
    ("sex.female", "female", "femme"),
    ("sex.male", "male", "homme"),
    ("sex.other", "other", "autre"),
    ("sex.unknown", "unknown", "inconnu"),
    ("relation.principal", "principal", "titulaire"),
    ("relation.spouse", "spouse", "conjoint"),
    ("relation.child", "child", "enfant"),
    ("relation.parent", "parent", "parent"),
    ("relation.sibling", "sibling", "frère ou sœur"),
    ("relation.grandparent", "grandparent", "grand-parent"),
    ("relation.grandchild", "grandchild", "petit-enfant"),
    ("relation.other_relative", "other relative", "autre parent"),
    ("relation.escort", "escort", "accompagnant"),
    ("relation.none", "on their own", "seul"),
    ("status.registered", "registered", "enregistré"),
    ("status.eligible", "eligible", "éligible"),
    ("status.ineligible", "ineligible", "inéligible"),
    ("status.called_forward", "called forward", "convoqué"),
    ("status.at_gate", "at the gate", "à la porte"),
    ("status.processed", "processed", "traité"),
    ("status.manifested", "on a manifest", "sur un manifeste"),
    ("status.boarded", "boarded", "embarqué"),
    ("status.departed", "departed", "parti"),
    ("status.arrived", "arrived", "arrivé"),
    ("status.no_show", "no show", "absent"),
    ("status.denied", "denied", "refusé"),
    ("status.withdrawn", "withdrawn", "retiré"),
    (
        "screening.title",
        "Screening hits",
        "Correspondances du criblage",
    ),
    (
        "screening.hits",
        "Screening hits",
        "Correspondances du criblage",
    ),
    ("screening.review", "review", "examiner"),
    (
        "screening.more",
        "Hits not shown yet (decide these first, or use GET /api/screening/hits):",
        "Correspondances pas encore affichées (décidez d’abord celles-ci, ou utilisez GET /api/screening/hits) :",
    ),
    ("screening.show", "Show", "Afficher"),
    ("screening.filter", "Filter", "Filtrer"),
    (
        "screening.none",
        "No hits here.",
        "Aucune correspondance ici.",
    ),
    ("screening.person", "Person", "Personne"),
    ("screening.listed", "Listed entry", "Entrée de la liste"),
    ("screening.score", "Score", "Score"),
    ("screening.decided_by", "Decided by", "Décidé par"),
    ("screening.reason", "Reason", "Motif"),
    ("screening.decision", "Decision", "Décision"),
    (
        "screening.submit",
        "Record the decision",
        "Enregistrer la décision",
    ),
    (
        "screening.decided",
        "Decision recorded:",
        "Décision enregistrée :",
    ),
    (
        "screening.bad_hit",
        "This is not a hit id.",
        "Ce n’est pas un identifiant de correspondance.",
    ),
    (
        "screening.choose_decision",
        "Choose a decision: confirmed or false positive.",
        "Choisissez une décision : confirmée ou fausse correspondance.",
    ),
    (
        "screening.reason_needed",
        "A false positive needs a reason (why this is not the listed person).",
        "Une fausse correspondance demande un motif (pourquoi ce n’est pas la personne listée).",
    ),
    (
        "screening.reason_too_long",
        "Give a reason of at most 1,000 characters.",
        "Donnez un motif de 1 000 caractères au plus.",
    ),
    ("hit.open", "open", "à examiner"),
    ("hit.confirmed", "confirmed", "confirmée"),
    (
        "hit.false_positive",
        "false positive",
        "fausse correspondance",
    ),
    ("hit.superseded", "superseded", "remplacée"),
    ("hit.all", "all", "toutes"),
    ("nav.dedup", "Duplicates", "Doublons"),
    ("dedup.title", "Possible duplicates", "Doublons possibles"),
    (
        "dedup.explain",
        "Pairs of records the matching could not settle on its own. Decide whether each pair is one person: “the same person” joins them in every later run, “not the same person” keeps them apart for good.",
        "Paires de fiches que le rapprochement n’a pas su trancher seul. Décidez si chaque paire est une seule personne : « la même personne » les réunit à chaque passage suivant, « pas la même personne » les sépare définitivement.",
    ),
    (
        "dedup.none",
        "No pair waits for review.",
        "Aucune paire n’attend d’examen.",
    ),
    ("dedup.record", "Record", "Fiche"),
    ("dedup.other", "Other record", "Autre fiche"),
    (
        "dedup.another_nation",
        "Held by another nation (not shown)",
        "Détenue par une autre nation (non affichée)",
    ),
    (
        "dedup.probability",
        "Probability of one person",
        "Probabilité d’une seule personne",
    ),
    ("dedup.explanation", "Field by field", "Champ par champ"),
    ("dedup.field", "Field", "Champ"),
    ("dedup.level", "Agreement", "Concordance"),
    ("dedup.weight", "Weight (bits)", "Poids (bits)"),
    ("dedup.decision", "Decision", "Décision"),
    (
        "dedup.reason",
        "Reason (needed for “not the same person”)",
        "Motif (obligatoire pour « pas la même personne »)",
    ),
    (
        "dedup.submit",
        "Record the decision",
        "Enregistrer la décision",
    ),
    (
        "dedup.decided",
        "Decision recorded:",
        "Décision enregistrée :",
    ),
    (
        "dedup.cross_nation",
        "A reviewer who sees both records decides this pair.",
        "Une personne qui voit les deux fiches tranche cette paire.",
    ),
    (
        "dedup.more",
        "More pairs wait: decide these first to see them, or use GET /api/dedup/pairs.",
        "D’autres paires attendent : décidez d’abord celles-ci pour les voir, ou utilisez GET /api/dedup/pairs.",
    ),
    (
        "dedup.bad_pair",
        "This form does not name a pair: reload the page.",
        "Ce formulaire ne désigne pas de paire : rechargez la page.",
    ),
    (
        "dedup.choose_decision",
        "Choose a decision: the same person, not the same person, or unsure.",
        "Choisissez une décision : la même personne, pas la même personne, ou incertain.",
    ),
    (
        "dedup.reason_needed",
        "“Not the same person” needs a reason (for example: different fathers, checked by phone).",
        "« Pas la même personne » demande un motif (par exemple : pères différents, vérifié par téléphone).",
    ),
    (
        "dedup.reason_too_long",
        "Give a reason of at most 1,000 characters.",
        "Donnez un motif de 1 000 caractères au plus.",
    ),
    (
        "dedup.stale",
        "Someone decided this pair in the meantime: look at it again below.",
        "Quelqu’un a décidé cette paire entre-temps : regardez-la à nouveau ci-dessous.",
    ),
    ("pair.waiting", "waiting", "en attente"),
    ("pair.same", "the same person", "la même personne"),
    (
        "pair.not_same",
        "not the same person",
        "pas la même personne",
    ),
    ("pair.unsure", "unsure", "incertain"),
    ("audit.title", "Audit log", "Journal d’audit"),
    ("audit.entity", "Entity", "Entité"),
    ("audit.action", "Action", "Action"),
    ("audit.none", "No events.", "Aucun événement."),
    ("audit.next", "Next page", "Page suivante"),
    (
        "audit.bad_after",
        "The page position must be a whole number.",
        "La position de page doit être un nombre entier.",
    ),
    (
        "audit.bad_entity",
        "Give an entity as type:id, e.g. person:P12 (at most 100 characters).",
        "Donnez une entité sous la forme type:id, p. ex. person:P12 (100 caractères au plus).",
    ),
    ("users.title", "Users and roles", "Utilisateurs et rôles"),
    ("users.state", "State", "État"),
    ("users.active", "active", "actif"),
    ("users.disabled", "disabled", "désactivé"),
    ("users.locked", "locked", "verrouillé"),
    ("users.totp", "second factor", "second facteur"),
    ("users.action", "Action", "Action"),
    ("users.enable", "Enable", "Activer"),
    ("users.disable", "Disable", "Désactiver"),
    ("users.unlock", "Unlock", "Déverrouiller"),
    (
        "users.reset_totp",
        "Remove second factor",
        "Retirer le second facteur",
    ),
    ("users.apply", "Apply", "Appliquer"),
    ("users.add", "Add a user", "Ajouter un utilisateur"),
    ("users.create", "Create the account", "Créer le compte"),
    ("users.created", "Account created:", "Compte créé :"),
    ("users.changed", "Account changed:", "Compte modifié :"),
    (
        "users.bad_username",
        "A user name is 1 to 64 letters, digits, dots, dashes or underscores.",
        "Un nom d’utilisateur compte de 1 à 64 lettres, chiffres, points, tirets ou soulignés.",
    ),
    (
        "users.bad_display_name",
        "Give a display name of at most 100 characters.",
        "Donnez un nom affiché de 100 caractères au plus.",
    ),
    (
        "users.short_password",
        "A password has at least 12 characters.",
        "Un mot de passe compte au moins 12 caractères.",
    ),
    (
        "users.bad_action",
        "Choose enable, disable, unlock or remove second factor.",
        "Choisissez activer, désactiver, déverrouiller ou retirer le second facteur.",
    ),
    ("import.title", "Import a list", "Importer une liste"),
    (
        "import.explain",
        "CSV (any encoding and delimiter), XLSX, XLS, ODS or PFIF, headers in English, French, Dari or Pashto. Larger lists: airbridge import on the server.",
        "CSV (tout encodage et séparateur), XLSX, XLS, ODS ou PFIF, en-têtes en anglais, français, dari ou pachto. Listes plus grandes : airbridge import sur le serveur.",
    ),
    ("import.file", "List file", "Fichier de la liste"),
    ("import.submit", "Import", "Importer"),
    ("import.report", "Report", "Rapport"),
    ("import.rows", "Rows", "Lignes"),
    ("import.accepted", "Accepted", "Acceptées"),
    (
        "import.warned",
        "Accepted with warnings",
        "Acceptées avec avertissements",
    ),
    (
        "import.rejected",
        "Rejected (quarantined)",
        "Refusées (en quarantaine)",
    ),
    (
        "import.people_created",
        "People created",
        "Personnes créées",
    ),
    (
        "import.people_updated",
        "People updated",
        "Personnes mises à jour",
    ),
    (
        "import.people_unchanged",
        "People unchanged",
        "Personnes inchangées",
    ),
    ("import.cases_created", "Cases created", "Dossiers créés"),
    (
        "import.quarantined",
        "Rows in quarantine",
        "Lignes en quarantaine",
    ),
    ("import.line", "Line", "Ligne"),
    ("import.column", "Column", "Colonne"),
    ("import.value", "Value", "Valeur"),
    ("import.message", "What to do", "Que faire"),
    (
        "import.more_issues",
        "more issues are not listed here: `airbridge import --report` writes every row's, the rejected rows wait in the quarantine.",
        "autres problèmes ne sont pas listés ici : `airbridge import --report` écrit ceux de chaque ligne, les lignes rejetées attendent en quarantaine.",
    ),
    ("import.accepted_with_warnings", "warning", "avertissement"),
    (
        "import.too_large",
        "The file is too large for an upload: import it with airbridge import on the server.",
        "Le fichier est trop grand pour un envoi : importez-le avec airbridge import sur le serveur.",
    ),
    (
        "import.bad_upload",
        "The upload could not be read: choose the file again.",
        "L’envoi n’a pas pu être lu : choisissez de nouveau le fichier.",
    ),
    (
        "import.no_file",
        "Choose a file to import.",
        "Choisissez un fichier à importer.",
    ),
    ("nav.gate", "Gate", "Porte"),
    ("nav.flags", "Gate flags", "Signalements des portes"),
    ("nav.live", "Live picture", "Situation en direct"),
    ("gate.title", "Gate", "Porte"),
    ("gate.starting", "Starting…", "Démarrage…"),
    (
        "gate.needs_script",
        "The gate page needs JavaScript.",
        "La page de la porte a besoin de JavaScript.",
    ),
    (
        "gate.pin_set_title",
        "Set the gate PIN",
        "Choisir le code de la porte",
    ),
    (
        "gate.pin_set_explain",
        "Choose a PIN of at least 6 digits. The list of people expected at this gate is kept on this phone, encrypted with it, so the page works without network. Nobody can read the list without the PIN; it is asked again whenever the page is reloaded.",
        "Choisissez un code d’au moins 6 chiffres. La liste des personnes attendues à cette porte est gardée sur ce téléphone, chiffrée avec ce code, pour que la page fonctionne sans réseau. Personne ne peut la lire sans le code ; il est redemandé à chaque rechargement de la page.",
    ),
    ("gate.pin", "Gate PIN", "Code de la porte"),
    ("gate.load_list", "Load the list", "Charger la liste"),
    (
        "gate.pin_ask_title",
        "Unlock the gate list",
        "Déverrouiller la liste",
    ),
    (
        "gate.pin_ask_explain",
        "Enter the PIN set when the list was loaded on this phone.",
        "Saisissez le code choisi quand la liste a été chargée sur ce téléphone.",
    ),
    ("gate.unlock", "Unlock", "Déverrouiller"),
    (
        "gate.forget",
        "Forget the list on this phone",
        "Effacer la liste de ce téléphone",
    ),
    ("gate.code", "Pass code", "Code du laissez-passer"),
    ("gate.check", "Check", "Vérifier"),
    ("gate.scan", "Scan the QR code", "Scanner le code QR"),
    (
        "gate.search",
        "Or search by name (any script)",
        "Ou chercher par nom (toute écriture)",
    ),
    ("gate.refresh", "Refresh the list", "Actualiser la liste"),
    ("gate.which", "Which gate?", "Quelle porte ?"),
    (
        "gate.open",
        "Open the gate page",
        "Ouvrir la page de la porte",
    ),
    ("gatejs.online", "Online", "En ligne"),
    (
        "gatejs.offline",
        "Offline: working from this phone’s list",
        "Hors ligne : travail sur la liste de ce téléphone",
    ),
    (
        "gatejs.waiting_one",
        "1 action waiting to sync",
        "1 action en attente d’envoi",
    ),
    (
        "gatejs.waiting_many",
        "{n} actions waiting to sync",
        "{n} actions en attente d’envoi",
    ),
    ("gatejs.synced", "Everything is synced", "Tout est envoyé"),
    (
        "gatejs.list_info",
        "List: {n} cases, loaded {at}",
        "Liste : {n} dossiers, chargée {at}",
    ),
    (
        "gatejs.pin_short",
        "The PIN needs at least 6 digits.",
        "Le code doit avoir au moins 6 chiffres.",
    ),
    ("gatejs.pin_wrong", "Wrong PIN.", "Code incorrect."),
    (
        "gatejs.need_network",
        "Loading the list needs the network: try again when online.",
        "Le chargement de la liste demande le réseau : réessayez une fois en ligne.",
    ),
    ("gatejs.loading", "Working…", "En cours…"),
    (
        "gatejs.code_length",
        "A pass code has 11 symbols (like K7QM-2XDP-9RT); this one has {n}.",
        "Un code a 11 symboles (comme K7QM-2XDP-9RT) ; celui-ci en a {n}.",
    ),
    (
        "gatejs.code_symbol",
        "“{c}” cannot be in a pass code: codes use digits and the letters A–Z except I, L, O and U.",
        "« {c} » ne peut pas figurer dans un code : chiffres et lettres A–Z sauf I, L, O et U.",
    ),
    (
        "gatejs.code_check",
        "This code is mistyped (its last symbol does not match): read it again from the pass.",
        "Ce code est mal saisi (son dernier symbole ne correspond pas) : relisez-le sur le laissez-passer.",
    ),
    (
        "gatejs.unknown",
        "No pass has this code at this gate: it may be forged. Check the person’s documents and search by name.",
        "Aucun laissez-passer n’a ce code à cette porte : il est peut-être faux. Vérifiez les documents et cherchez par nom.",
    ),
    (
        "gatejs.used",
        "This pass was already used at {gate} at {at}: a pass admits once.",
        "Ce laissez-passer a déjà servi à {gate} le {at} : il n’admet qu’une fois.",
    ),
    (
        "gatejs.used_here",
        "This pass was already used at this gate at {at}.",
        "Ce laissez-passer a déjà servi à cette porte le {at}.",
    ),
    (
        "gatejs.expired",
        "This pass was valid until {until}: the case must be called forward again.",
        "Ce laissez-passer était valable jusqu’au {until} : le dossier doit être convoqué de nouveau.",
    ),
    (
        "gatejs.not_yet",
        "This pass is valid from {from}: too early.",
        "Ce laissez-passer est valable à partir du {from} : trop tôt.",
    ),
    ("gatejs.case", "Case {case}", "Dossier {case}"),
    ("gatejs.people", "{n} people", "{n} personnes"),
    (
        "gatejs.window",
        "Valid {from} – {until}",
        "Valable du {from} au {until}",
    ),
    (
        "gatejs.no_pass",
        "Found by name, no pass shown: the action will be flagged for review.",
        "Trouvé par nom, sans laissez-passer : l’action sera signalée pour vérification.",
    ),
    (
        "gatejs.name_here",
        "Name given at the gate",
        "Nom donné à la porte",
    ),
    ("gatejs.admit", "Admit ticked", "Admettre les cochés"),
    ("gatejs.process", "Mark processed", "Marquer traités"),
    ("gatejs.deny", "Deny", "Refuser"),
    ("gatejs.reason", "Reason for the denial", "Motif du refus"),
    (
        "gatejs.reason_needed",
        "Write the reason for the denial.",
        "Écrivez le motif du refus.",
    ),
    (
        "gatejs.tick",
        "Tick who is present.",
        "Cochez les personnes présentes.",
    ),
    ("gatejs.admitted", "Admitted: {n}", "Admis : {n}"),
    ("gatejs.processed", "Processed: {n}", "Traités : {n}"),
    ("gatejs.denied", "Denied: {n}", "Refusés : {n}"),
    ("gatejs.duplicate", "Already recorded.", "Déjà enregistré."),
    (
        "gatejs.queued",
        "No network: the action is kept on this phone and will be sent when the network is back.",
        "Pas de réseau : l’action est gardée sur ce téléphone et sera envoyée au retour du réseau.",
    ),
    (
        "gatejs.flags",
        "Raised for review",
        "Signalé pour vérification",
    ),
    (
        "gatejs.no_results",
        "Nobody on this gate’s list by that name.",
        "Personne de ce nom sur la liste de cette porte.",
    ),
    (
        "gatejs.session",
        "Your session has ended: log in again to send the waiting actions.",
        "Votre session a pris fin : reconnectez-vous pour envoyer les actions en attente.",
    ),
    (
        "gatejs.forget_confirm",
        "Forget this gate’s list and any unsent actions on this phone?",
        "Effacer la liste de cette porte et les actions non envoyées de ce téléphone ?",
    ),
    (
        "gatejs.scan_failed",
        "The camera could not be used: type the code.",
        "La caméra n’a pas pu servir : saisissez le code.",
    ),
    (
        "gatejs.sync_problem",
        "Not accepted by the server: {message}",
        "Refusé par le serveur : {message}",
    ),
    ("gatejs.documents", "Documents", "Documents"),
    ("gatejs.born", "Born", "Né(e)"),
    ("gatejs.father", "Father", "Père"),
    (
        "gatejs.too_many",
        "Too many unknown codes: wait {s} s.",
        "Trop de codes inconnus : attendez {s} s.",
    ),
    ("flags.title", "Gate flags", "Signalements des portes"),
    (
        "flags.explain",
        "A pass shown at two gates, someone admitted without their pass, or a person changed while a gate was offline: look at the case, then say what you found.",
        "Un laissez-passer présenté à deux portes, une personne admise sans son laissez-passer, ou une personne modifiée pendant qu’une porte était hors ligne : examinez le dossier, puis dites ce que vous avez constaté.",
    ),
    (
        "flags.cleared",
        "The flag is cleared.",
        "Le signalement est levé.",
    ),
    (
        "flags.open_only",
        "Open flags only",
        "Signalements ouverts seulement",
    ),
    (
        "flags.show_all",
        "Show cleared flags too",
        "Afficher aussi les signalements levés",
    ),
    ("flags.none", "No flags.", "Aucun signalement."),
    ("flags.was_cleared", "Cleared", "Levé"),
    ("flags.note", "What you found", "Ce que vous avez constaté"),
    ("flags.clear", "Clear the flag", "Lever le signalement"),
    ("live.title", "Live picture", "Situation en direct"),
    ("live.as_of", "As of", "À"),
    (
        "live.sitrep_pdf",
        "Situation report (PDF)",
        "Rapport de situation (PDF)",
    ),
    (
        "live.sitrep_csv",
        "Situation report (CSV)",
        "Rapport de situation (CSV)",
    ),
    (
        "live.by_status",
        "People by status and nation",
        "Personnes par statut et nation",
    ),
    (
        "live.by_category",
        "People by category",
        "Personnes par catégorie",
    ),
    ("live.flights", "Boarding by flight", "Embarquement par vol"),
    ("live.flight", "Flight", "Vol"),
    ("live.progress", "Boarded", "Embarqués"),
    ("livejs.as_of", "As of", "À"),
    (
        "livejs.lost",
        "Connection lost, retrying… last figures from",
        "Connexion perdue, nouvel essai… derniers chiffres de",
    ),
    ("pass.title", "Your pass", "Votre laissez-passer"),
    (
        "pass.qr",
        "QR code of the pass",
        "Code QR du laissez-passer",
    ),
    (
        "pass.show",
        "Show this code at the gate:",
        "Montrez ce code à la porte :",
    ),
    (
        "pass.explain",
        "It admits your family once, at the gate and in the window your message gives. It carries no name: the gate checks it against your documents. Do not share it.",
        "Il admet votre famille une fois, à la porte et dans la plage horaire indiquées par votre message. Il ne porte aucun nom : la porte le vérifie avec vos documents. Ne le partagez pas.",
    ),
    ("nav.flights", "Flights", "Vols"),
    ("flights.title", "Flights", "Vols"),
    (
        "flights.plan_in_force",
        "Plan in force:",
        "Plan en vigueur :",
    ),
    (
        "flights.people_planned",
        "people placed",
        "personnes placées",
    ),
    (
        "flights.no_plan",
        "No plan is stored yet.",
        "Aucun plan n’est encore enregistré.",
    ),
    ("flights.plan", "Build the plan", "Établir le plan"),
    (
        "flights.plan_explain",
        "Plans the ready cases onto the flights with the fast planner; a plan in force is kept where it can be (people keep their flight unless it was cancelled, delayed or lost seats).",
        "Place les dossiers prêts sur les vols avec le planificateur rapide ; le plan en vigueur est conservé autant que possible (chacun garde son vol sauf s’il est annulé, retardé ou a perdu des places).",
    ),
    (
        "flights.none",
        "No flight you may see.",
        "Aucun vol visible pour vous.",
    ),
    ("flights.flight", "Flight", "Vol"),
    ("flights.departs", "Departs (UTC)", "Départ (UTC)"),
    ("flights.aircraft", "Aircraft", "Appareil"),
    ("flights.capacity", "Places", "Places"),
    ("flights.destination", "Destination", "Destination"),
    ("flights.status", "Status", "Statut"),
    (
        "flights.seats_assigned",
        "Seats assigned",
        "Places attribuées",
    ),
    ("flights.people", "people", "personnes"),
    ("flights.people_aboard", "People", "Personnes"),
    (
        "flights.more",
        "more flights are not shown; the JSON at /api/flights lists them all.",
        "autres vols ne sont pas affichés ; le JSON de /api/flights les liste tous.",
    ),
    ("flights.plan_stored", "Plan stored:", "Plan enregistré :"),
    ("flights.cases_assigned", "cases placed", "dossiers placés"),
    ("flights.kept", "kept their flight", "ont gardé leur vol"),
    ("flights.moved", "moved", "déplacées"),
    ("flights.dropped", "lost their seat", "ont perdu leur place"),
    ("flight_status.scheduled", "scheduled", "prévu"),
    ("flight_status.delayed", "delayed", "retardé"),
    ("flight_status.cancelled", "cancelled", "annulé"),
    ("flight_status.departed", "departed", "parti"),
    ("configuration.seated", "seated", "assis"),
    ("configuration.floor_loaded", "floor loaded", "au sol"),
    ("flight.title", "Flight", "Vol"),
    ("flight.families", "families", "familles"),
    ("flight.manifest", "Manifest", "Manifeste"),
    (
        "flight.audited",
        "each download is recorded in the audit log",
        "chaque téléchargement est inscrit au journal d’audit",
    ),
    (
        "flight.not_flying",
        "This flight no longer flies: re-plan to move its people.",
        "Ce vol n’est plus assuré : refaites le plan pour déplacer ses passagers.",
    ),
    (
        "flight.nobody",
        "The plan in force puts nobody on this flight.",
        "Le plan en vigueur ne place personne sur ce vol.",
    ),
    ("flight.name", "Name", "Nom"),
    (
        "flight.name_original",
        "Name (original script)",
        "Nom (écriture d’origine)",
    ),
    ("flight.nationality", "Nationality", "Nationalité"),
    ("flight.seat", "seat", "place"),
    ("flight.seats", "seats", "places"),
    ("flight.lap", "on a lap", "sur les genoux"),
    ("page.of", "of", "sur"),
    ("page.page", "page", "page"),
    ("page.pages", "Pages", "Pages"),
    ("page.previous", "Previous page", "Page précédente"),
    ("page.next", "Next page", "Page suivante"),
    (
        "page.bad_number",
        "The page number must be a whole number from 1.",
        "Le numéro de page doit être un nombre entier à partir de 1.",
    ),
    (
        "flight.other_nation",
        "Another nation’s family (names not shown)",
        "Famille d’une autre nation (noms non affichés)",
    ),
    (
        "flight.no_manifest",
        "This flight has no manifest to print: no plan is stored, or the flight no longer flies.",
        "Ce vol n’a pas de manifeste à imprimer : aucun plan n’est enregistré, ou le vol n’est plus assuré.",
    ),
    ("dashboard.flights_today", "Flights today", "Vols du jour"),
    (
        "dashboard.no_flights_today",
        "No flight you may see departs today.",
        "Aucun vol visible pour vous ne part aujourd’hui.",
    ),
    ("dashboard.flights", "Flights", "Vols"),
    (
        "dashboard.seats_planned",
        "Seats planned / places",
        "Places planifiées / places",
    ),
];

impl Lang {
    /// The first of English or French in an `Accept-Language` header; English otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        header
            .unwrap_or_default()
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| match tag.get(..2) {
                Some("fr") => Some(Lang::Fr),
                Some("en") => Some(Lang::En),
                _ => None,
            })
            .unwrap_or(Lang::En)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

/// The messages in one language, handed to templates as `t`.
#[derive(Debug, Clone, Copy)]
pub struct Texts {
    pub lang: Lang,
}

impl Texts {
    pub fn get(&self, id: &str) -> &'static str {
        MESSAGES
            .iter()
            .find(|(key, _, _)| *key == id)
            .map(|(_, en, fr)| match self.lang {
                Lang::En => *en,
                Lang::Fr => *fr,
            })
            .unwrap_or_else(|| {
                tracing::warn!(id, "message missing from the catalogue");
                "?"
            })
    }

    /// The message for a value of a vocabulary: `of("status", "at_gate")` is `status.at_gate`.
    pub fn of(&self, prefix: &str, value: impl std::fmt::Display) -> &'static str {
        self.get(&format!("{prefix}.{value}"))
    }

    /// Every message whose id starts with `prefix`, in this language (for a page's script,
    /// which has no catalogue of its own).
    pub fn with_prefix(&self, prefix: &str) -> Vec<(&'static str, &'static str)> {
        MESSAGES
            .iter()
            .filter(|(key, _, _)| key.starts_with(prefix))
            .map(|(key, en, fr)| {
                (
                    *key,
                    match self.lang {
                        Lang::En => *en,
                        Lang::Fr => *fr,
                    },
                )
            })
            .collect()
    }

    pub fn has(id: &str) -> bool {
        MESSAGES.iter().any(|(key, _, _)| *key == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_one_row() {
        let mut seen = std::collections::HashSet::new();
        for (id, en, fr) in MESSAGES {
            assert!(seen.insert(id), "{id} twice");
            assert!(!en.is_empty() && !fr.is_empty(), "{id}");
        }
        for role in airbridge_domain::Role::ALL {
            assert!(Texts::has(&format!("role.{role}")), "{role}");
        }
    }

    #[test]
    fn templates_ask_only_for_ids_in_the_catalogue() {
        let templates = [
            include_str!("../templates/base.html"),
            include_str!("../templates/login.html"),
            include_str!("../templates/second_factor.html"),
            include_str!("../templates/enrol.html"),
            include_str!("../templates/setup.html"),
            include_str!("../templates/dashboard.html"),
            include_str!("../templates/message.html"),
            include_str!("../templates/search.html"),
            include_str!("../templates/case.html"),
            include_str!("../templates/screening.html"),
            include_str!("../templates/dedup.html"),
            include_str!("../templates/audit.html"),
            include_str!("../templates/users.html"),
            include_str!("../templates/import.html"),
            include_str!("../templates/gate.html"),
            include_str!("../templates/flags.html"),
            include_str!("../templates/live.html"),
            include_str!("../templates/pass.html"),
            include_str!("../templates/flights.html"),
            include_str!("../templates/flight.html"),
        ];
        for template in templates {
            for piece in template.split("t.get(\"").skip(1) {
                let id = piece.split('"').next().unwrap();
                assert!(Texts::has(id), "template asks for missing message {id}");
            }
        }
    }

    /// The pages' scripts ask for their words by id (`t('gatejs.…')`): each is in the
    /// catalogue, under a prefix the page hands to its script.
    #[test]
    fn scripts_ask_only_for_ids_in_the_catalogue() {
        for (script, prefix) in [
            (include_str!("static/gate.js"), "gatejs."),
            (include_str!("static/live.js"), "livejs."),
        ] {
            let mut asked = 0;
            for (at, _) in script.match_indices("t('") {
                // `t(` itself, not the end of another name (`post(`, `digest(`).
                if script[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                {
                    continue;
                }
                let id = script[at + 3..].split('\'').next().unwrap();
                if id.starts_with("status.")
                    || id.starts_with("relation.")
                    || id.starts_with("category.")
                {
                    continue;
                }
                assert!(id.starts_with(prefix), "{id} is not handed to the script");
                assert!(Texts::has(id), "script asks for missing message {id}");
                asked += 1;
            }
            assert!(asked > 0);
        }
    }

    /// Screens build some ids from values (`status.{status}`): every value has its message.
    #[test]
    fn every_value_a_screen_names_has_a_message() {
        use airbridge_domain::{EvacuationStatus, Relation};
        let mut ids: Vec<String> = Vec::new();
        ids.extend(
            EvacuationStatus::ALL
                .iter()
                .map(|s| format!("status.{}", s.as_str())),
        );
        ids.extend(
            Relation::ALL
                .iter()
                .map(|r| format!("relation.{}", r.as_str())),
        );
        for fixed in [
            "relation.none",
            "category.national",
            "category.local_staff",
            "category.at_risk",
            "category.undecided",
            "sex.female",
            "sex.male",
            "sex.other",
            "sex.unknown",
            "hit.open",
            "hit.confirmed",
            "hit.false_positive",
            "hit.superseded",
            "hit.all",
            "pair.waiting",
            "pair.same",
            "pair.not_same",
            "pair.unsure",
            "search.by.words",
            "search.by.names_engine",
            "import.accepted",
            "import.accepted_with_warnings",
            "import.rejected",
            "flight_status.scheduled",
            "flight_status.delayed",
            "flight_status.cancelled",
            "flight_status.departed",
            "configuration.seated",
            "configuration.floor_loaded",
        ] {
            ids.push(fixed.to_owned());
        }
        for id in ids {
            assert!(Texts::has(&id), "no message {id}");
        }
    }

    #[test]
    fn the_language_comes_from_the_browser() {
        assert_eq!(
            Lang::from_accept_language(Some("fr-FR,fr;q=0.9,en;q=0.8")),
            Lang::Fr
        );
        assert_eq!(
            Lang::from_accept_language(Some("de-DE, en;q=0.5")),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(Texts { lang: Lang::Fr }.get("login.title"), "Connexion");
    }
}
