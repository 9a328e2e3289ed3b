//! The XMP packet: the Dublin Core and PRISM properties a reference needs, whether written as
//! elements (`<dc:title><rdf:Alt><rdf:li>…`) or as attributes of `rdf:Description`.

use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

/// What the XMP packet says about the document (empty values are left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Xmp {
    /// `dc:title` (the default-language alternative, else the first).
    pub title: Option<String>,
    /// `dc:creator`, in order.
    pub creators: Vec<String>,
    /// `prism:doi`, `pdfx:doi`, `crossmark:DOI`, or a `doi:` `dc:identifier`.
    pub doi: Option<String>,
    /// `dc:identifier` values.
    pub identifiers: Vec<String>,
    /// `prism:publicationName`.
    pub publication_name: Option<String>,
    /// `prism:publicationDate`, else `prism:coverDate`.
    pub publication_date: Option<String>,
    /// `dc:date` values (often the file's dates, not the work's).
    pub dates: Vec<String>,
    /// `xmp:CreateDate` (when the file was made, not the work).
    pub create_date: Option<String>,
    /// `dc:description`.
    pub description: Option<String>,
}

/// Parses an XMP packet; `None` when it is not XML or says nothing of use.
pub(super) fn parse(packet: &str) -> Option<Xmp> {
    let props = properties(packet);
    let all = |name: &str| -> Vec<String> {
        props
            .iter()
            .filter(|(p, _)| p.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    };
    let first = |names: &[&str]| names.iter().find_map(|n| all(n).into_iter().next());
    let identifiers = all("dc:identifier");
    let doi = first(&["prism:doi", "pdfx:doi", "crossmark:DOI", "pdfx:WPS-ARTICLEDOI"])
        .or_else(|| {
            identifiers.iter().find_map(|i| {
                i.strip_prefix("doi:")
                    .or_else(|| i.strip_prefix("info:doi/"))
                    .map(str::to_string)
            })
        })
        .or_else(|| identifiers.iter().find(|i| i.starts_with("10.")).cloned());
    let dates = all("dc:date");
    let x = Xmp {
        title: first(&["dc:title"]),
        creators: all("dc:creator"),
        doi,
        identifiers,
        publication_name: first(&["prism:publicationName"]),
        publication_date: first(&["prism:publicationDate", "prism:coverDate"]),
        dates,
        create_date: first(&["xmp:CreateDate"]),
        description: first(&["dc:description"]),
    };
    (x != Xmp::default()).then_some(x)
}

/// Every (qualified property name, value) in document order: one per `rdf:li` of a list, one
/// per simple element or attribute. Stops quietly at malformed XML.
fn properties(packet: &str) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_str(packet);
    let mut stack: Vec<String> = Vec::new();
    let mut out: Vec<(String, String)> = Vec::new();
    // Whether the last entry of `out` still takes text (its element is open).
    let mut open = false;
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) => {
                open = element(&e, &stack, &mut out);
                stack.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Event::Empty(e) => {
                element(&e, &stack, &mut out);
                open = false;
            }
            Event::End(_) => {
                stack.pop();
                open = false;
            }
            Event::Text(t) if open => {
                if let (Ok(s), Some(last)) = (t.decode(), out.last_mut()) {
                    last.1.push_str(&s);
                }
            }
            Event::CData(t) if open => {
                if let (Ok(s), Some(last)) = (t.decode(), out.last_mut()) {
                    last.1.push_str(&s);
                }
            }
            Event::GeneralRef(r) if open => {
                let s = r.decode().ok().and_then(|n| {
                    quick_xml::escape::unescape(&format!("&{n};"))
                        .ok()
                        .map(|c| c.into_owned())
                });
                if let (Some(s), Some(last)) = (s, out.last_mut()) {
                    last.1.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if stack.len() > 64 {
            break;
        }
    }
    out.into_iter()
        .map(|(p, v)| (p, v.split_whitespace().collect::<Vec<_>>().join(" ")))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// Records an element's property attributes, and starts a value for it when it is a property
/// or a list item of one; returns whether text that follows belongs to that value.
fn element(e: &quick_xml::events::BytesStart, stack: &[String], out: &mut Vec<(String, String)>) -> bool {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    for a in e.attributes().flatten() {
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        if is_property(&key) {
            if let Ok(v) = a.unescape_value() {
                out.push((key, v.trim().to_string()));
            }
        }
    }
    let prop = if name == "rdf:li" {
        stack.iter().rev().find(|n| is_property(n)).cloned()
    } else {
        is_property(&name).then_some(name)
    };
    match prop {
        Some(p) => {
            out.push((p, String::new()));
            true
        }
        None => false,
    }
}

/// A metadata property (not RDF or XMP packet structure, not a namespace declaration).
fn is_property(name: &str) -> bool {
    name.contains(':')
        && !["rdf:", "x:", "xmlns", "xml:", "xmpMM:", "stEvt:", "stRef:"]
            .iter()
            .any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_element_and_attribute_forms() {
        let x = parse(
            r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/" prism:doi="10.1000/xyz" prism:publicationName="J. Tests">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Caf&#233; &amp; Tea</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>Ann Smith</rdf:li><rdf:li>Bo Li</rdf:li></rdf:Seq></dc:creator>
<dc:identifier>doi:10.1000/xyz</dc:identifier><xmp:CreateDate>2014-01-02</xmp:CreateDate><prism:empty/>
</rdf:Description></rdf:RDF></x:xmpmeta>"#,
        )
        .unwrap();
        assert_eq!(x.title.as_deref(), Some("Café & Tea"));
        assert_eq!(x.creators, ["Ann Smith", "Bo Li"]);
        assert_eq!(x.doi.as_deref(), Some("10.1000/xyz"));
        assert_eq!(x.publication_name.as_deref(), Some("J. Tests"));
        assert_eq!(x.create_date.as_deref(), Some("2014-01-02"));
        assert_eq!(parse("not xml <<<"), None);
    }
}
