//! Creators: ordered people or organisations with a role.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    #[default]
    Author,
    Editor,
    Translator,
    SeriesEditor,
    BookAuthor,
    Contributor,
    Director,
    Inventor,
    Recipient,
    Interviewer,
    Commentator,
    Annotator,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Author,
        Role::Editor,
        Role::Translator,
        Role::SeriesEditor,
        Role::BookAuthor,
        Role::Contributor,
        Role::Director,
        Role::Inventor,
        Role::Recipient,
        Role::Interviewer,
        Role::Commentator,
        Role::Annotator,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Translator => "translator",
            Role::SeriesEditor => "series-editor",
            Role::BookAuthor => "book-author",
            Role::Contributor => "contributor",
            Role::Director => "director",
            Role::Inventor => "inventor",
            Role::Recipient => "recipient",
            Role::Interviewer => "interviewer",
            Role::Commentator => "commentator",
            Role::Annotator => "annotator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase().replace('_', "-");
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == l || r.as_str().replace('-', "") == l)
            .ok_or_else(|| format!("unknown creator role {s:?}"))
    }
}

/// A person's name split into parts, or a single literal name (an organisation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Name {
    Person {
        family: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        given: String,
        /// Name particle ("van", "de la"): the BibTeX "von" part.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        particle: String,
        /// "Jr.", "III".
        #[serde(default, skip_serializing_if = "String::is_empty")]
        suffix: String,
    },
    Literal {
        literal: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Creator {
    pub role: Role,
    #[serde(flatten)]
    pub name: Name,
}

/// How a creator is read: `role` plus the fields of a person's name, or `literal`. Read
/// directly rather than through `flatten` + `untagged` (which buffer every value and made
/// decoding creators the largest part of loading items).
#[derive(Deserialize)]
struct CreatorFields {
    #[serde(default)]
    role: Role,
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    given: String,
    #[serde(default)]
    particle: String,
    #[serde(default)]
    suffix: String,
    #[serde(default)]
    literal: Option<String>,
}

impl<'de> Deserialize<'de> for Creator {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = CreatorFields::deserialize(d)?;
        // A person when there is a family name (as the untagged `Name` reads it), else a literal.
        let name = match (f.family, f.literal) {
            (Some(family), _) => Name::Person {
                family,
                given: f.given,
                particle: f.particle,
                suffix: f.suffix,
            },
            (None, Some(literal)) => Name::Literal { literal },
            (None, None) => {
                return Err(serde::de::Error::custom(
                    "a creator needs a family name (\"family\") or a literal name (\"literal\")",
                ))
            }
        };
        Ok(Creator { role: f.role, name })
    }
}

impl Creator {
    pub fn person(role: Role, family: &str, given: &str) -> Creator {
        Creator {
            role,
            name: Name::Person {
                family: family.to_string(),
                given: given.to_string(),
                particle: String::new(),
                suffix: String::new(),
            },
        }
    }
    pub fn literal(role: Role, name: &str) -> Creator {
        Creator {
            role,
            name: Name::Literal {
                literal: name.to_string(),
            },
        }
    }

    /// Family name with particle ("van Gogh"), or the literal name.
    pub fn family_with_particle(&self) -> String {
        match &self.name {
            Name::Person { family, particle, .. } if !particle.is_empty() => {
                format!("{particle} {family}")
            }
            Name::Person { family, .. } => family.clone(),
            Name::Literal { literal } => literal.clone(),
        }
    }

    /// The family name alone (for citation keys and duplicate detection).
    pub fn family(&self) -> &str {
        match &self.name {
            Name::Person { family, .. } => family,
            Name::Literal { literal } => literal,
        }
    }

    pub fn given(&self) -> &str {
        match &self.name {
            Name::Person { given, .. } => given,
            Name::Literal { .. } => "",
        }
    }

    /// "von Last, Jr, First" — the BibTeX form, also used for sorting and display.
    pub fn display_inverted(&self) -> String {
        match &self.name {
            Name::Literal { literal } => literal.clone(),
            Name::Person {
                family,
                given,
                particle,
                suffix,
            } => {
                let mut s = String::new();
                if !particle.is_empty() {
                    s.push_str(particle);
                    s.push(' ');
                }
                s.push_str(family);
                if !suffix.is_empty() {
                    s.push_str(", ");
                    s.push_str(suffix);
                }
                if !given.is_empty() {
                    s.push_str(", ");
                    s.push_str(given);
                }
                s
            }
        }
    }

    /// "First von Last Jr" — natural reading order.
    pub fn display_natural(&self) -> String {
        match &self.name {
            Name::Literal { literal } => literal.clone(),
            Name::Person {
                family,
                given,
                particle,
                suffix,
            } => [given.as_str(), particle, family, suffix]
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// Parse a name as typed by a user or found in RIS/CSV: "Family, Given", "Family, Jr., Given",
    /// "Given Family" (no comma), "van der Berg, Jan", "{Literal Org}" or "=Org" for a literal name.
    pub fn parse_name(role: Role, text: &str) -> Creator {
        let t = text.trim();
        if let Some(lit) = t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            return Creator::literal(role, lit.trim());
        }
        if let Some(lit) = t.strip_prefix('=') {
            return Creator::literal(role, lit.trim());
        }
        let parts: Vec<&str> = t.split(',').map(str::trim).collect();
        let (family_full, given, suffix) = match parts.as_slice() {
            [one] => {
                // "Given Particle Family": last word(s) from the first lowercase word on.
                let words: Vec<&str> = one.split_whitespace().collect();
                if words.len() <= 1 {
                    return Creator::person(role, one, "");
                }
                let split = words
                    .iter()
                    .position(|w| w.chars().next().is_some_and(char::is_lowercase))
                    .filter(|&p| p > 0 && p < words.len() - 1)
                    .unwrap_or(words.len() - 1);
                (words[split..].join(" "), words[..split].join(" "), String::new())
            }
            [family, given] => (family.to_string(), given.to_string(), String::new()),
            [family, suffix, given, ..] => (family.to_string(), given.to_string(), suffix.to_string()),
            [] => return Creator::literal(role, ""),
        };
        let (particle, family) = split_particle(&family_full);
        Creator {
            role,
            name: Name::Person {
                family,
                given,
                particle,
                suffix,
            },
        }
    }
}

impl Creator {
    /// A name written in reading order with no comma, as publisher pages show authors
    /// ("Cesar Casiano Flores", "A. Paula Rodriguez Müller", "Ludwig van Beethoven",
    /// "John M. Smith"): the given name is the leading initials, the first full word and the
    /// initials after it; everything after that is the family name (so double family names,
    /// common in Spanish and Portuguese, stay together), with a lowercase particle split off.
    pub fn parse_natural(role: Role, text: &str) -> Creator {
        let t = text.trim();
        if t.contains(',') {
            return Creator::parse_name(role, t);
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        if words.len() < 3 {
            return Creator::parse_name(role, t);
        }
        let is_initial = |w: &str| {
            let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
            !letters.is_empty()
                && letters.iter().all(|c| c.is_uppercase())
                && (w.ends_with('.') || letters.len() == 1 || w.contains('-') && w.len() <= 5)
        };
        let mut i = 0;
        while i < words.len() - 1 && is_initial(words[i]) {
            i += 1;
        }
        if i < words.len() - 1 && !words[i].chars().next().is_some_and(char::is_lowercase) {
            i += 1; // the first full given name
        }
        while i < words.len() - 1 && is_initial(words[i]) {
            i += 1;
        }
        if i == 0 || i >= words.len() {
            return Creator::parse_name(role, t);
        }
        let (particle, family) = split_particle(&words[i..].join(" "));
        Creator {
            role,
            name: Name::Person {
                family,
                given: words[..i].join(" "),
                particle,
                suffix: String::new(),
            },
        }
    }
}

/// Split leading lowercase words ("van der", "de la") off a family name.
pub fn split_particle(family: &str) -> (String, String) {
    let words: Vec<&str> = family.split_whitespace().collect();
    let n = words
        .iter()
        // A word's first letter decides: "’t" (van ’t Hof) and "d’" are particles too.
        .take_while(|w| w.chars().find(|c| c.is_alphabetic()).is_some_and(char::is_lowercase))
        .count();
    if n == 0 || n == words.len() {
        return (String::new(), family.trim().to_string());
    }
    (words[..n].join(" "), words[n..].join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(c: &Creator) -> (String, String, String, String) {
        match &c.name {
            Name::Person {
                family,
                given,
                particle,
                suffix,
            } => (family.clone(), given.clone(), particle.clone(), suffix.clone()),
            Name::Literal { literal } => (literal.clone(), "LIT".into(), String::new(), String::new()),
        }
    }

    #[test]
    fn name_forms() {
        let c = Creator::parse_name(Role::Author, "Steen, Trui");
        assert_eq!(parts(&c), ("Steen".into(), "Trui".into(), "".into(), "".into()));
        let c = Creator::parse_name(Role::Author, "Cesar Casiano Flores");
        assert_eq!(parts(&c).0, "Flores");
        let c = Creator::parse_name(Role::Author, "Ludwig van Beethoven");
        assert_eq!(
            parts(&c),
            ("Beethoven".into(), "Ludwig".into(), "van".into(), "".into())
        );
        let c = Creator::parse_name(Role::Author, "van der Berg, Jan");
        assert_eq!(parts(&c), ("Berg".into(), "Jan".into(), "van der".into(), "".into()));
        let c = Creator::parse_name(Role::Author, "King, Jr., Martin Luther");
        assert_eq!(
            parts(&c),
            ("King".into(), "Martin Luther".into(), "".into(), "Jr.".into())
        );
        let c = Creator::parse_name(Role::Author, "{World Health Organization}");
        assert_eq!(
            c.name,
            Name::Literal {
                literal: "World Health Organization".into()
            }
        );
        assert_eq!(c.display_inverted(), "World Health Organization");
    }

    #[test]
    fn natural_order_names() {
        let p = |s: &str| parts(&Creator::parse_natural(Role::Author, s));
        assert_eq!(
            p("Cesar Casiano Flores"),
            ("Casiano Flores".into(), "Cesar".into(), "".into(), "".into())
        );
        assert_eq!(
            p("A. Paula Rodriguez Müller"),
            ("Rodriguez Müller".into(), "A. Paula".into(), "".into(), "".into())
        );
        assert_eq!(
            p("John M. Smith"),
            ("Smith".into(), "John M.".into(), "".into(), "".into())
        );
        assert_eq!(
            p("J. R. R. Tolkien"),
            ("Tolkien".into(), "J. R. R.".into(), "".into(), "".into())
        );
        assert_eq!(
            p("Ludwig van Beethoven"),
            ("Beethoven".into(), "Ludwig".into(), "van".into(), "".into())
        );
        assert_eq!(p("Trui Steen"), ("Steen".into(), "Trui".into(), "".into(), "".into()));
        assert_eq!(p("Steen, Trui"), ("Steen".into(), "Trui".into(), "".into(), "".into()));
        assert_eq!(
            p("Jean-Luc Godard"),
            ("Godard".into(), "Jean-Luc".into(), "".into(), "".into())
        );
    }

    #[test]
    fn displays() {
        let c = Creator::parse_name(Role::Editor, "de la Fontaine, Jean");
        assert_eq!(c.display_inverted(), "de la Fontaine, Jean");
        assert_eq!(c.display_natural(), "Jean de la Fontaine");
        assert_eq!(c.family_with_particle(), "de la Fontaine");
    }

    #[test]
    fn role_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        assert_eq!("serieseditor".parse::<Role>().unwrap(), Role::SeriesEditor);
    }

    #[test]
    fn creators_read_back_as_written() {
        let all = [
            Creator::person(Role::Editor, "Steen", "Trui"),
            Creator {
                role: Role::Author,
                name: Name::Person {
                    family: "Gogh".into(),
                    given: "Vincent".into(),
                    particle: "van".into(),
                    suffix: "Jr.".into(),
                },
            },
            Creator::literal(Role::Author, "World Health Organization"),
        ];
        let json = serde_json::to_string(&all).unwrap();
        assert_eq!(serde_json::from_str::<Vec<Creator>>(&json).unwrap(), all);
        // The shapes the JSON columns and Folio JSON files hold: role defaults to author,
        // a family name makes a person (even beside a literal), unknown keys are ignored.
        let c: Creator = serde_json::from_str(r#"{"family":"Uster","given":"A.","x":1}"#).unwrap();
        assert_eq!(c, Creator::person(Role::Author, "Uster", "A."));
        let c: Creator = serde_json::from_str(r#"{"role":"translator","literal":"ACME"}"#).unwrap();
        assert_eq!(c, Creator::literal(Role::Translator, "ACME"));
        let c: Creator = serde_json::from_str(r#"{"family":"Jones","literal":"ACME"}"#).unwrap();
        assert_eq!(c, Creator::person(Role::Author, "Jones", ""));
        let e = serde_json::from_str::<Creator>(r#"{"role":"author","given":"Ann"}"#).unwrap_err();
        assert!(e.to_string().contains("family name"), "{e}");
        assert!(serde_json::from_str::<Creator>(r#"{"family":"X","role":"boss"}"#).is_err());
    }
}
