use crate::harness::{BOB, TestEnv};

#[test]
fn declare_then_ack_makes_one_commit_each() {
    let env = TestEnv::ledger();
    let before = env.commit_count();
    let id = env.declare("Checkout API returning 502s");
    assert_eq!(id, "INC-1");
    assert_eq!(env.commit_count(), before + 1);
    env.run(&["ack", &id]).ok();
    assert_eq!(env.commit_count(), before + 2);
    assert_eq!(env.head_files(), ["incidents/2026/INC-1.toml"]);
    assert_eq!(env.incident(&id)["status"], "acknowledged");
    env.run(&["lead", &id, BOB]).ok();
    assert!(env.status().is_empty());
}
