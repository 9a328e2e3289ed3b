fn main() {
    let args: Vec<String> = std::env::args().collect();
    let c = rusqlite::Connection::open(&args[1]).unwrap();
    let q = &args[2];
    let p = &args[3];
    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {q}")).unwrap();
    let rows = st
        .query_map([p], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(3)?))
        })
        .unwrap();
    for r in rows {
        println!("{:?}", r.unwrap());
    }
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let mut st = c.prepare(q).unwrap();
        let n = st.query_map([p], |_| Ok(())).unwrap().count();
        println!("{n} rows in {:?}", t.elapsed());
    }
}
