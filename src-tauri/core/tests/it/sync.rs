//! Shared libraries (issue 27): replicas syncing through a real PostgreSQL server (the
//! harness in `pg.rs` starts one, or uses `FOLIO_PG_URL`).

use crate::pg;
use crate::support::{article, corpus};
use folio::app::share;
use folio::export::{ExportOptions, Selection};
use folio::format::Format;
use folio::import::ImportOptions;
use folio::library::replica::Take;
use folio::sync::SyncReport;
use folio::Library;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A member: a library file of its own, shared as `group` on the server at `url`.
struct Member {
    lib: Library,
    path: PathBuf,
    _dir: tempfile::TempDir,
}

fn member(url: &str, name: &str) -> Member {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.folio"));
    let mut lib = Library::open(&path).unwrap();
    rt().block_on(share::set_remote(&mut lib, url, "group", name)).unwrap();
    Member { lib, path, _dir: dir }
}

fn sync(m: &mut Member) -> SyncReport {
    rt().block_on(share::sync_library(&mut m.lib)).unwrap()
}

/// Everything a member's library holds, as Folio's JSON export with each replica's own row
/// ids left out, sorted by key.
fn contents(lib: &Library) -> String {
    let opts = ExportOptions {
        format: Format::Json,
        ..Default::default()
    };
    let text = lib.export_text(&Selection::default(), &opts).unwrap().0;
    let mut items: Vec<Value> = serde_json::from_str(&text).unwrap();
    for i in &mut items {
        i.as_object_mut().unwrap().remove("id");
    }
    items.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    serde_json::to_string_pretty(&items).unwrap()
}

/// Ann and Ben, both holding Doe2020 ("A title") from the server.
fn two_members_sharing_doe2020() -> (Member, Member) {
    let url = pg::fresh_database();
    let mut a = member(&url, "ann");
    let mut b = member(&url, "ben");
    add(&mut a.lib, "Doe2020", "A title");
    sync(&mut a);
    sync(&mut b);
    (a, b)
}

fn add(lib: &mut Library, key: &str, title: &str) {
    let mut it = article(title, &["Doe, Jane"], 2020);
    it.key = key.into();
    lib.add(it).unwrap();
}

fn edit(lib: &mut Library, key: &str, field: &str, value: &str) {
    lib.edit(key, &[(field.to_string(), value.to_string())], false).unwrap();
}

fn field(lib: &Library, key: &str, field: &str) -> String {
    lib.get(key).unwrap().get(field).unwrap_or_default()
}

#[test]
fn two_replicas_converge_after_a_7k_entry_import() {
    let url = pg::fresh_database();
    let mut a = member(&url, "ann");
    let mut b = member(&url, "ben");
    let file = corpus().join("large/bbt__1436-3-large-user-library.bib");
    let r = a
        .lib
        .import_files(&[file], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    let added = r.added();
    assert!(added > 7000, "{added}");
    let pushed = sync(&mut a);
    assert_eq!(pushed.pushed_objects, added, "{pushed:?}");
    let pulled = sync(&mut b);
    assert_eq!(pulled.pulled.added, added);
    assert_eq!(contents(&a.lib), contents(&b.lib));
    // Nothing left to do on either side.
    let again = sync(&mut a);
    assert_eq!(
        (again.pushed_objects, again.pulled.added + again.pulled.changed),
        (0, 0)
    );
    let _ = &b.path;
}

#[test]
fn edits_to_different_fields_merge_without_conflict() {
    let (mut a, mut b) = two_members_sharing_doe2020();
    // Both offline: different fields of the same item.
    edit(&mut a.lib, "Doe2020", "volume", "12");
    edit(&mut b.lib, "Doe2020", "pages", "3--9");
    a.lib.tag_add("from-ann", &["Doe2020".into()]).unwrap();
    b.lib.tag_add("from-ben", &["Doe2020".into()]).unwrap();
    sync(&mut a);
    let rb = sync(&mut b);
    assert!(rb.pulled.conflicts.is_empty(), "{rb:?}");
    assert_eq!(rb.pulled.merged, 1);
    sync(&mut a);
    for m in [&a, &b] {
        assert_eq!(field(&m.lib, "Doe2020", "volume"), "12");
        assert_eq!(field(&m.lib, "Doe2020", "pages"), "3--9");
        let it = m.lib.get("Doe2020").unwrap();
        assert!(it.has_tag("from-ann") && it.has_tag("from-ben"), "{:?}", it.tags);
    }
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

#[test]
fn the_same_field_is_one_conflict_with_both_values_kept() {
    let (mut a, mut b) = two_members_sharing_doe2020();
    edit(&mut a.lib, "Doe2020", "title", "Ann's title");
    edit(&mut b.lib, "Doe2020", "title", "Ben's title");
    edit(&mut b.lib, "Doe2020", "volume", "7");
    sync(&mut a);
    let rb = sync(&mut b);
    assert_eq!(rb.conflicts, 1, "{rb:?}");
    let c = b.lib.sync_conflicts().unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].name.as_str(), c[0].field.as_str()), ("Doe2020", "title"));
    assert_eq!(c[0].mine, Some(Value::from("Ben's title")));
    assert_eq!(c[0].theirs, Some(Value::from("Ann's title")));
    assert_eq!(c[0].author, "ann");
    // Ben keeps his value until he chooses; Ann's volume... Ben's volume waits with the item.
    assert_eq!(field(&b.lib, "Doe2020", "title"), "Ben's title");
    sync(&mut a);
    assert_eq!(field(&a.lib, "Doe2020", "title"), "Ann's title");
    // Ben takes Ann's title: the item (with his volume) goes to the server.
    b.lib.resolve_sync_conflict("Doe2020", "title", Take::Theirs).unwrap();
    assert!(b.lib.sync_conflicts().unwrap().is_empty());
    sync(&mut b);
    sync(&mut a);
    for m in [&a, &b] {
        assert_eq!(field(&m.lib, "Doe2020", "title"), "Ann's title");
        assert_eq!(field(&m.lib, "Doe2020", "volume"), "7");
    }
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

#[test]
fn taking_mine_pushes_mine() {
    let (mut a, mut b) = two_members_sharing_doe2020();
    edit(&mut a.lib, "Doe2020", "title", "Ann's title");
    edit(&mut b.lib, "Doe2020", "title", "Ben's title");
    sync(&mut a);
    sync(&mut b);
    b.lib.resolve_sync_conflict("Doe2020", "title", Take::Mine).unwrap();
    sync(&mut b);
    sync(&mut a);
    assert_eq!(field(&a.lib, "Doe2020", "title"), "Ben's title");
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

#[test]
fn an_edit_against_a_deletion_keeps_the_item_as_a_conflict() {
    let (mut a, mut b) = two_members_sharing_doe2020();
    // Ann deletes it for good; Ben edits it.
    a.lib.delete(&["Doe2020".into()]).unwrap();
    a.lib.empty_trash().unwrap();
    edit(&mut b.lib, "Doe2020", "note", "important");
    sync(&mut a);
    let rb = sync(&mut b);
    assert_eq!(rb.conflicts, 1, "{rb:?}");
    let c = &b.lib.sync_conflicts().unwrap()[0];
    assert_eq!(c.field, "*");
    assert!(c.theirs.is_none() && c.mine.is_some());
    assert_eq!(field(&b.lib, "Doe2020", "note"), "important");
    // Ben keeps it: it comes back for Ann.
    b.lib.resolve_sync_conflict("Doe2020", "*", Take::Mine).unwrap();
    sync(&mut b);
    sync(&mut a);
    assert_eq!(field(&a.lib, "Doe2020", "note"), "important");
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

#[test]
fn a_deletion_against_an_edit_brings_the_item_back_as_a_conflict() {
    let (mut a, mut b) = two_members_sharing_doe2020();
    edit(&mut a.lib, "Doe2020", "note", "Ann's note");
    b.lib.delete(&["Doe2020".into()]).unwrap();
    b.lib.empty_trash().unwrap();
    sync(&mut a);
    let rb = sync(&mut b);
    assert_eq!(rb.conflicts, 1, "{rb:?}");
    // Nothing is lost: Ann's edited item is back in Ben's library until he decides.
    assert_eq!(field(&b.lib, "Doe2020", "note"), "Ann's note");
    b.lib.resolve_sync_conflict("Doe2020", "*", Take::Mine).unwrap();
    assert!(b.lib.get("Doe2020").is_err());
    sync(&mut b);
    sync(&mut a);
    assert!(a.lib.get("Doe2020").is_err());
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

#[test]
fn a_new_key_that_clashes_on_the_server_takes_the_next_suffix() {
    let url = pg::fresh_database();
    let mut a = member(&url, "ann");
    let mut b = member(&url, "ben");
    // Two different papers, same generated key, made on both sides before any sync.
    add(&mut a.lib, "Doe2020", "Ann's paper");
    add(&mut b.lib, "Doe2020", "Ben's paper");
    sync(&mut a);
    let rb = sync(&mut b);
    let renamed: Vec<_> = rb.renamed.iter().chain(&rb.pulled.renamed).collect();
    assert_eq!(renamed.len(), 1, "{rb:?}");
    assert_eq!(renamed[0].old, "Doe2020");
    assert_eq!(renamed[0].new, "Doe2020a");
    sync(&mut a);
    for m in [&a, &b] {
        assert_eq!(field(&m.lib, "Doe2020", "title"), "Ann's paper");
        assert_eq!(field(&m.lib, "Doe2020a", "title"), "Ben's paper");
    }
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

#[test]
fn undo_refuses_to_drop_a_colleagues_change() {
    let url = pg::fresh_database();
    let mut a = member(&url, "ann");
    let mut b = member(&url, "ben");
    add(&mut a.lib, "Doe2020", "A title");
    add(&mut a.lib, "Roe2021", "Another");
    sync(&mut a);
    sync(&mut b);
    edit(&mut b.lib, "Doe2020", "volume", "1");
    edit(&mut b.lib, "Roe2021", "volume", "2");
    edit(&mut a.lib, "Roe2021", "pages", "5");
    sync(&mut a);
    sync(&mut b);
    // Ben's last edit (Roe2021's volume) was merged with Ann's pages: undoing it would drop
    // Ann's change, so undo refuses and says why; the library is unchanged.
    sync(&mut b);
    let before = contents(&b.lib);
    let err = b.lib.undo().unwrap_err().to_string();
    assert!(err.contains("another member") && err.contains("Roe2021"), "{err}");
    assert_eq!(contents(&b.lib), before);
    // A colleague's change is not in Ben's undo stack.
    let h = b.lib.history(10).unwrap();
    assert!(h.iter().all(|e| !e.label.contains("pages")), "{h:?}");
}

#[test]
fn undo_of_an_action_nobody_else_touched_is_pushed() {
    let (mut a, mut b) = two_members_sharing_doe2020();
    edit(&mut a.lib, "Doe2020", "volume", "9");
    sync(&mut a);
    a.lib.undo().unwrap();
    sync(&mut a);
    sync(&mut b);
    assert_eq!(field(&b.lib, "Doe2020", "volume"), "");
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

/// After a push round, the outbox is read only from objects changed since (a watermark
/// over object versions): every later change still reaches the other member exactly once —
/// an edit, a new item, a trashing, emptying the trash and undoing it — and a conflict held
/// back while later changes were pushed goes out once it is resolved.
#[test]
fn changes_after_a_push_round_are_each_pushed_and_held_ones_follow() {
    let (mut a, mut b) = two_members_sharing_doe2020();
    let outbox = |m: &Member| m.lib.replica_status().unwrap().outbox;
    assert_eq!(outbox(&a), 0);
    edit(&mut a.lib, "Doe2020", "volume", "3");
    add(&mut a.lib, "Roe2021", "Another");
    assert_eq!(outbox(&a), 2);
    let r = sync(&mut a);
    assert_eq!((r.pushed_objects, r.outbox), (2, 0), "{r:?}");
    sync(&mut b);
    assert_eq!(field(&b.lib, "Roe2021", "title"), "Another");
    assert_eq!(field(&b.lib, "Doe2020", "volume"), "3");
    // Trash, then empty the trash: the item is removed for good on both sides.
    a.lib.delete(&["Roe2021".to_string()]).unwrap();
    a.lib.empty_trash().unwrap();
    assert_eq!(outbox(&a), 1);
    assert_eq!(sync(&mut a).pushed_objects, 1);
    sync(&mut b);
    assert!(b.lib.get("Roe2021").is_err(), "Roe2021 is still at Ben's");
    // Undoing the empty trash brings it back, in the trash, on both sides.
    a.lib.undo().unwrap();
    assert_eq!(outbox(&a), 1);
    sync(&mut a);
    sync(&mut b);
    assert_eq!(contents(&a.lib), contents(&b.lib));
    // Ben's title is held by a conflict while his later edit of another item is pushed.
    edit(&mut a.lib, "Doe2020", "title", "Ann's title");
    sync(&mut a);
    edit(&mut b.lib, "Doe2020", "title", "Ben's title");
    sync(&mut b);
    assert_eq!(b.lib.sync_conflicts().unwrap().len(), 1);
    b.lib.restore(&["Roe2021".to_string()]).unwrap();
    let r = sync(&mut b);
    assert_eq!((r.pushed_objects, r.outbox), (1, 1), "{r:?}");
    // Taking his own title changes nothing here, yet it must reach Ann.
    b.lib.resolve_sync_conflict("Doe2020", "title", Take::Mine).unwrap();
    assert_eq!(outbox(&b), 1);
    let r = sync(&mut b);
    assert_eq!((r.pushed_objects, r.outbox), (1, 0), "{r:?}");
    sync(&mut a);
    assert_eq!(field(&a.lib, "Doe2020", "title"), "Ben's title");
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

#[test]
fn collections_and_saved_searches_are_shared() {
    let url = pg::fresh_database();
    let mut a = member(&url, "ann");
    let mut b = member(&url, "ben");
    add(&mut a.lib, "Doe2020", "A title");
    a.lib.collection_create("Thesis/Chapter 1").unwrap();
    a.lib.collection_add("Thesis/Chapter 1", &["Doe2020".into()]).unwrap();
    folio::app::save_search(&mut a.lib, "recent", "year:2020", None, false).unwrap();
    sync(&mut a);
    sync(&mut b);
    let id = b.lib.id_of("Doe2020").unwrap();
    assert_eq!(b.lib.collections_of(id).unwrap(), vec!["Thesis/Chapter 1".to_string()]);
    assert!(b.lib.saved_searches().unwrap().iter().any(|s| s.name == "recent"));
    // A collection made on both sides under the same name is one collection.
    a.lib.collection_create("Reading").unwrap();
    b.lib.collection_create("Reading").unwrap();
    a.lib.collection_add("Reading", &["Doe2020".into()]).unwrap();
    sync(&mut a);
    sync(&mut b);
    sync(&mut a);
    let names = |l: &Library| {
        fn walk(n: &[folio::CollectionNode], out: &mut Vec<String>) {
            for c in n {
                out.push(c.path.clone());
                walk(&c.children, out);
            }
        }
        let mut v = Vec::new();
        walk(&l.collection_tree().unwrap(), &mut v);
        v.sort();
        v
    };
    assert_eq!(names(&a.lib), names(&b.lib));
    assert_eq!(names(&b.lib).iter().filter(|n| *n == "Reading").count(), 1);
    assert_eq!(contents(&a.lib), contents(&b.lib));
}

#[test]
fn a_read_only_member_pulls_and_pushes_nothing() {
    let url = pg::fresh_database();
    let mut a = member(&url, "ann");
    add(&mut a.lib, "Doe2020", "A title");
    sync(&mut a);
    let ro = server::read_only_url(&url);
    let mut r = member(&ro, "reader");
    let rr = sync(&mut r);
    assert!(rr.read_only);
    assert_eq!(rr.pulled.added, 1);
    edit(&mut r.lib, "Doe2020", "note", "local only");
    let rr = sync(&mut r);
    assert_eq!((rr.pushed_objects, rr.outbox), (0, 1));
    assert!(r.lib.remote_read_only().unwrap());
    sync(&mut a);
    assert_eq!(field(&a.lib, "Doe2020", "note"), "");
}

/// The path of a member's library, for the CLI tests.
#[allow(dead_code)]
fn path_of(m: &Member) -> &Path {
    &m.path
}

/// A loopback TCP proxy in front of the server: `cut` drops every connection through it and
/// refuses new ones (a member offline), `restore` lets them through again.
pub struct Proxy {
    pub port: u16,
    state: std::sync::Arc<ProxyState>,
}

#[derive(Default)]
struct ProxyState {
    cut: std::sync::atomic::AtomicBool,
    /// Bumped at every cut: connections of an older generation close.
    generation: std::sync::atomic::AtomicU64,
}

impl Proxy {
    pub fn start(target: std::net::SocketAddr) -> Proxy {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = std::sync::Arc::new(ProxyState::default());
        let st = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if st.cut.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = std::net::TcpStream::connect(target) else {
                    continue;
                };
                let generation = st.generation.load(Ordering::SeqCst);
                for (from, to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let st = st.clone();
                    std::thread::spawn(move || pipe(from, to, &st, generation));
                }
            }
        });
        Proxy { port, state }
    }

    pub fn cut(&self) {
        use std::sync::atomic::Ordering;
        self.state.cut.store(true, Ordering::SeqCst);
        self.state.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn restore(&self) {
        self.state.cut.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

fn pipe(mut from: std::net::TcpStream, mut to: std::net::TcpStream, st: &ProxyState, generation: u64) {
    use std::io::{Read, Write};
    use std::sync::atomic::Ordering;
    from.set_read_timeout(Some(std::time::Duration::from_millis(50)))
        .unwrap();
    let mut buf = [0u8; 16384];
    loop {
        if st.generation.load(Ordering::SeqCst) != generation {
            break;
        }
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = from.shutdown(std::net::Shutdown::Both);
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// `url` with its host and port replaced by the proxy's.
fn through(url: &str, proxy: &Proxy) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, tail) = rest.split_once('/').unwrap();
    let userinfo = authority
        .rsplit_once('@')
        .map(|(u, _)| format!("{u}@"))
        .unwrap_or_default();
    format!("{scheme}://{userinfo}127.0.0.1:{}/{tail}", proxy.port)
}

fn server_addr(url: &str) -> std::net::SocketAddr {
    let rest = url.split_once("://").unwrap().1;
    let authority = rest.split('/').next().unwrap();
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    use std::net::ToSocketAddrs;
    hostport.to_socket_addrs().unwrap().next().unwrap()
}

/// A tiny deterministic generator (the test's seed is printed on failure).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One value written by one member.
struct Write {
    member: usize,
    key: String,
    field: &'static str,
    value: String,
    /// A later write made by a member that had this value in front of it.
    superseded: bool,
}

#[test]
fn three_replicas_with_random_cuts_converge_and_lose_nothing() {
    let seed: u64 = std::env::var("FOLIO_SYNC_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_F011);
    let url = pg::fresh_database();
    let proxy = Proxy::start(server_addr(&url));
    let via = through(&url, &proxy);
    let mut members: Vec<Member> = ["ann", "ben", "cy"].iter().map(|n| member(&via, n)).collect();
    let mut rng = Rng(seed);
    let mut writes: Vec<Write> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    const FIELDS: [&str; 3] = ["title", "volume", "note"];
    let rt = rt();
    for step in 0..160 {
        let m = rng.below(3);
        match rng.below(10) {
            0 | 1 if keys.len() < 30 || rng.below(4) == 0 => {
                let key = format!("K{step}m{m}");
                add(&mut members[m].lib, &key, &format!("made by {m} at {step}"));
                keys.push(key);
            }
            0..=5 => {
                let Some(key) = pick(&mut rng, &keys, &members[m].lib) else {
                    continue;
                };
                let field = FIELDS[rng.below(3)];
                let value = format!("{field} by {m} at {step}");
                let current = field_of(&members[m].lib, &key, field);
                for w in writes
                    .iter_mut()
                    .filter(|w| w.key == key && w.field == field && w.value == current)
                {
                    w.superseded = true;
                }
                edit(&mut members[m].lib, &key, field, &value);
                writes.push(Write {
                    member: m,
                    key,
                    field,
                    value,
                    superseded: false,
                });
            }
            6 => {
                let Some(key) = pick(&mut rng, &keys, &members[m].lib) else {
                    continue;
                };
                members[m].lib.tag_add(&format!("t{step}"), &[key]).unwrap();
            }
            7 => {
                if rng.below(2) == 0 {
                    proxy.cut();
                } else {
                    proxy.restore();
                }
            }
            _ => {
                // A sync; offline while the proxy is cut (the member carries on).
                match rt.block_on(share::sync_library(&mut members[m].lib)) {
                    Ok(_) => {}
                    Err(folio::Error::Offline { .. }) => {}
                    Err(e) => panic!("seed {seed:#x} step {step}: sync failed: {e}"),
                }
            }
        }
    }
    proxy.restore();
    // Everyone syncs until nothing moves; conflicts are listed, then settled by taking theirs.
    let mut listed: Vec<(String, String, Option<Value>, Option<Value>)> = Vec::new();
    for _ in 0..6 {
        for m in members.iter_mut() {
            sync(m);
            for c in m.lib.sync_conflicts().unwrap() {
                listed.push((c.name.clone(), c.field.clone(), c.mine.clone(), c.theirs.clone()));
                m.lib.resolve_sync_conflict(&c.uuid, &c.field, Take::Theirs).unwrap();
            }
        }
    }
    for m in members.iter_mut() {
        let r = sync(m);
        assert_eq!((r.outbox, r.conflicts), (0, 0), "seed {seed:#x}: {r:?}");
    }
    let first = contents(&members[0].lib);
    for m in &members[1..] {
        assert_eq!(contents(&m.lib), first, "seed {seed:#x}: replicas differ");
    }
    // The server holds the same: a new member pulls exactly this.
    let mut fresh = member(&url, "dee");
    sync(&mut fresh);
    assert_eq!(contents(&fresh.lib), first, "seed {seed:#x}: the server differs");
    // No value written was dropped silently: each is the final value, or superseded by
    // someone who saw it, or in a listed conflict.
    let lost: Vec<String> = writes
        .iter()
        .filter(|w| !w.superseded)
        .filter(|w| field_of(&members[0].lib, &w.key, w.field) != w.value)
        .filter(|w| {
            !listed.iter().any(|(_, field, mine, theirs)| {
                field == w.field
                    && [mine, theirs]
                        .iter()
                        .any(|v| v.as_ref().and_then(Value::as_str) == Some(w.value.as_str()))
            })
        })
        .map(|w| format!("{} {} = {:?} (member {})", w.key, w.field, w.value, w.member))
        .collect();
    assert!(lost.is_empty(), "seed {seed:#x}: values lost silently: {lost:#?}");
}

/// A key this member has (some keys are only on other members until they sync).
fn pick(rng: &mut Rng, keys: &[String], lib: &Library) -> Option<String> {
    let have: Vec<&String> = keys.iter().filter(|k| lib.get(k).is_ok()).collect();
    (!have.is_empty()).then(|| have[rng.below(have.len())].clone())
}

fn field_of(lib: &Library, key: &str, f: &str) -> String {
    lib.get(key).map(|i| i.get(f).unwrap_or_default()).unwrap_or_default()
}

/// The CLI: $FOLIO_BIN (CI's release build), else the test build.
fn bin() -> PathBuf {
    std::env::var_os("FOLIO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(crate::support::folio_bin()))
}

fn cli(lib: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(bin())
        .arg("--library")
        .arg(lib)
        .args(args)
        .env_remove("FOLIO_LIBRARY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "folio {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn title_via_cli(lib: &Path, key: &str) -> String {
    let v: Value = serde_json::from_str(&cli(lib, &["show", key, "--json"])).unwrap();
    v["title"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_watching_member_sees_a_change_without_polling_delay() {
    let url = pg::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.folio"), dir.path().join("b.folio"));
    for (lib, who) in [(&a, "ann"), (&b, "ben")] {
        cli(
            lib,
            &["remote", "set", &url, "--library-name", "group", "--author", who],
        );
    }
    cli(
        &a,
        &[
            "add",
            "--key",
            "Doe2020",
            "--title",
            "First",
            "--author",
            "Doe, Jane",
            "--year",
            "2020",
        ],
    );
    cli(&a, &["sync"]);
    cli(&b, &["sync"]);
    assert_eq!(title_via_cli(&b, "Doe2020"), "First");
    let mut watcher = std::process::Command::new(bin())
        .arg("--library")
        .arg(&b)
        .args(["sync", "--watch", "--json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Let the watcher settle into waiting.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let mut latencies = Vec::new();
    for round in 0..3 {
        let title = format!("Changed {round}");
        cli(&a, &["edit", "Doe2020", "--set", &format!("title={title}")]);
        cli(&a, &["sync"]);
        let pushed = std::time::Instant::now();
        while title_via_cli(&b, "Doe2020") != title {
            assert!(
                pushed.elapsed() < std::time::Duration::from_secs(4),
                "the watching member did not get {title:?} within 4 s (the polling fallback is 5 s)"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        latencies.push(pushed.elapsed());
    }
    let _ = watcher.kill();
    let _ = watcher.wait();
    eprintln!("edit → watching member: {latencies:?}");
}

#[test]
fn a_push_killed_midway_is_all_or_nothing_and_the_retry_pushes_once() {
    let url = pg::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("a.folio");
    let xz = corpus().join("large/derived/beebe-fish-50k.bib.xz");
    let out = std::process::Command::new("xz")
        .arg("-dc")
        .arg(&xz)
        .output()
        .expect("xz (xz-utils)");
    assert!(out.status.success());
    let bib = dir.path().join("fish.bib");
    std::fs::write(&bib, out.stdout).unwrap();
    cli(&lib, &["import", bib.to_str().unwrap()]);
    let items: usize = serde_json::from_str::<Value>(&cli(&lib, &["info", "--json"])).unwrap()["items"]
        .as_u64()
        .unwrap() as usize;
    assert!(items > 49_000, "{items}");
    cli(
        &lib,
        &["remote", "set", &url, "--library-name", "group", "--author", "ann"],
    );
    // Kill the first sync while its push is in flight (sent, its answer not yet recorded).
    let mut child = std::process::Command::new(bin())
        .arg("--library")
        .arg(&lib)
        .args(["sync", "--json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut killed_in_flight = false;
    while child.try_wait().unwrap().is_none() && started.elapsed() < std::time::Duration::from_secs(120) {
        let show: Value = serde_json::from_str(&cli(&lib, &["remote", "show", "--json"])).unwrap();
        if show["pushes_in_flight"].as_u64() > Some(0) {
            child.kill().unwrap();
            killed_in_flight = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.wait();
    assert!(
        killed_in_flight,
        "the sync ended before its push could be caught in flight"
    );
    let on_server = server::count_objects(&url);
    assert!(
        on_server == 0 || on_server == items,
        "server has {on_server} of {items}"
    );
    eprintln!("killed with the push in flight; the server had {on_server} of {items}");
    let integrity = cli(&lib, &["info", "--json"]);
    assert!(integrity.contains("\"items\""));
    let r: Value = serde_json::from_str(&cli(&lib, &["sync", "--json"])).unwrap();
    assert_eq!(server::count_objects(&url), items);
    // Found committed (then recorded, not sent again) or not (then sent now).
    assert_eq!(r["recovered"].as_u64() == Some(1), on_server == items, "{r}");
    // Exactly once: one action on the server holds the import, whatever was retried.
    assert_eq!(server::count_actions(&url), 1, "{r}");
    let again: Value = serde_json::from_str(&cli(&lib, &["sync", "--json"])).unwrap();
    assert_eq!(again["pushed_objects"], 0);
    assert_eq!(again["outbox"], 0);
    let check = folio::Library::open(&lib).unwrap().quick_check().unwrap();
    assert_eq!(check, "ok");
}

/// Looking at the server directly (as its administrator), to check what it holds.
mod server {
    use tokio_postgres::NoTls;

    fn query_i64(url: &str, sql: &str) -> i64 {
        super::rt().block_on(async {
            let (client, conn) = tokio_postgres::connect(url, NoTls).await.unwrap();
            tokio::spawn(conn);
            client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0)
        })
    }

    fn run(url: &str, sql: &str) {
        super::rt().block_on(async {
            let (client, conn) = tokio_postgres::connect(url, NoTls).await.unwrap();
            tokio::spawn(conn);
            client.batch_execute(sql).await.unwrap();
        })
    }

    /// Live objects of every shared library in the database.
    pub fn count_objects(url: &str) -> usize {
        query_i64(url, "SELECT count(*) FROM folio_objects WHERE NOT deleted") as usize
    }

    pub fn count_actions(url: &str) -> usize {
        query_i64(url, "SELECT count(*) FROM folio_actions") as usize
    }

    /// A URL for a new role that may only read the database's tables (a read-only member).
    pub fn read_only_url(url: &str) -> String {
        let role = format!("reader_{}", uuid::Uuid::now_v7().simple());
        run(
            url,
            &format!(
                "CREATE ROLE {role} LOGIN PASSWORD 'reader-pw'; \
                 GRANT USAGE ON SCHEMA public TO {role}; \
                 GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};"
            ),
        );
        let (scheme, rest) = url.split_once("://").unwrap();
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        format!("{scheme}://{role}:reader-pw@{host}")
    }
}
