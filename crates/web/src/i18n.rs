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
        "dashboard.soon",
        "The registry’s screens come next; the JSON API is available under /api.",
        "Les écrans du registre arrivent ; l’API JSON est disponible sous /api.",
    ),
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
        ];
        for template in templates {
            for piece in template.split("t.get(\"").skip(1) {
                let id = piece.split('"').next().unwrap();
                assert!(Texts::has(id), "template asks for missing message {id}");
            }
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
