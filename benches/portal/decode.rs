//! 2. Decode: a ~6 MB `tdh_allIssues` answer (10 000 issues) through the SDK's
//!    own decode path (`response::decode`, reached through the internal `bench`
//!    feature) against `serde_json::from_slice` into the same generated type.

use std::time::Instant;

use dcso_portal::__bench;
use dcso_portal::operations::all_issues::ResponseData;

use crate::canned::all_issues_answer;
use crate::clients::Envelope;
use crate::stats::Spread;
use crate::{Report, RUNS};

const ISSUES: usize = 10_000;
const PER_RUN: usize = 10;

pub fn run(report: &mut Report) {
    let body = all_issues_answer(ISSUES);
    let megabytes = body.len() as f64 / 1e6;
    let answer = __bench::Answer::ok(body.clone());

    let sdk = || {
        let data: ResponseData = __bench::decode(&answer).expect("the SDK decodes the answer");
        std::hint::black_box(data);
    };
    let raw = || {
        let data = serde_json::from_slice::<Envelope<ResponseData>>(&body).expect("serde_json decodes the answer");
        std::hint::black_box(data.data);
    };
    {
        let a: ResponseData = __bench::decode(&answer).expect("decodes");
        let b = serde_json::from_slice::<Envelope<ResponseData>>(&body).expect("decodes").data;
        assert!(a == b && a.tdh_all_issues.len() == ISSUES, "the two paths decode different data");
    }
    for _ in 0..3 {
        sdk();
        raw();
    }
    let time = |f: &dyn Fn()| {
        let started = Instant::now();
        f();
        started.elapsed().as_secs_f64()
    };
    let (mut sdk_mbs, mut raw_mbs, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..*RUNS {
        // One decode each in turn, who goes first alternating, so that drift in the
        // machine's load hits both alike.
        let (mut s, mut r) = (0.0, 0.0);
        for i in 0..PER_RUN {
            if i % 2 == 0 {
                s += time(&sdk);
                r += time(&raw);
            } else {
                r += time(&raw);
                s += time(&sdk);
            }
        }
        let (s, r) = (megabytes * PER_RUN as f64 / s, megabytes * PER_RUN as f64 / r);
        sdk_mbs.push(s);
        raw_mbs.push(r);
        ratio.push(s / r);
    }
    report.row(
        &format!("decode: {megabytes:.2} MB, {ISSUES} issues (MB/s, higher is better)"),
        Spread::of(&sdk_mbs).show(0),
        Spread::of(&raw_mbs).show(0),
        format!("{} (SDK/raw throughput)", Spread::of(&ratio).show(3)),
        String::new(),
    );
}
