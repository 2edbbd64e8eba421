//! Fuzz target `decode`: arbitrary bytes become f64 command records. Decoding
//! must never panic, a decoded command must survive encode→decode unchanged,
//! and the records run through `wire::execute_batch` must leave a sound engine
//! whose event records all decode.
#![no_main]

use cift_engine::wire::{self, COMMAND_STRIDE, EVENT_STRIDE};
use cift_engine::{CommandKind, Engine};
use cift_engine_fuzz::{decode_event, wire_values};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let slots = wire_values(data);
    // Every offset: records that are whole, misaligned and too short.
    for start in 0..=slots.len() {
        round_trip(&slots[start..]);
    }

    let mut engine = Engine::new();
    let mut out = Vec::new();
    let n = wire::execute_batch(&mut engine, &slots, slots.len() / COMMAND_STRIDE, &mut out);
    assert_eq!(n * EVENT_STRIDE, out.len(), "event count disagrees with the output length");
    if let Err(e) = engine.verify() {
        panic!("engine invariant broken after the batch: {e}");
    }
    let mut last_seq = 0;
    for rec in out.chunks_exact(EVENT_STRIDE) {
        let ev = decode_event(rec).unwrap_or_else(|e| panic!("undecodable event record {rec:?}: {e}"));
        assert_eq!(ev.seq, last_seq + 1, "event seq gap at {ev:?}");
        last_seq = ev.seq;
    }
});

/// Decodes `rec`; a command that decodes must encode to a record that decodes
/// to the same command and that holds the same numbers in every slot the
/// command's kind reads.
fn round_trip(rec: &[f64]) {
    let Ok(cmd) = wire::decode_command(rec) else { return };
    let mut again = [0.0; COMMAND_STRIDE];
    wire::encode_command(&cmd, &mut again);
    match wire::decode_command(&again) {
        Ok(back) => assert_eq!(back, cmd, "round trip changed the command (record {again:?})"),
        Err(e) => panic!("re-encoded {cmd:?} does not decode: {e} (record {again:?})"),
    }
    for &slot in slots_read(&cmd.kind) {
        assert!(again[slot] == rec[slot], "slot {slot}: decoded from {} but encoded as {}", rec[slot], again[slot]);
    }
}

/// The record slots each command kind reads (see the table atop `wire`).
fn slots_read(kind: &CommandKind) -> &'static [usize] {
    match kind {
        CommandKind::New(_) => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        CommandKind::Cancel { .. } => &[0, 1, 2, 3, 4],
        CommandKind::Replace { .. } => &[0, 1, 2, 3, 4, 9, 10],
        CommandKind::MassCancel { .. } => &[0, 1, 2, 4, 5, 6],
        CommandKind::SessionEnd { .. } => &[0, 1, 2, 5],
        CommandKind::AdvanceTime => &[0, 1, 2],
        CommandKind::AddInstrument(_) => &[0, 1, 2, 5, 9, 10, 11, 12, 13, 14],
        CommandKind::Deposit { .. } | CommandKind::Withdraw { .. } => &[0, 1, 2, 4, 9],
        CommandKind::SetAccountLimits { .. } => &[0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 15],
        CommandKind::SetInstrumentLimits { .. } => &[0, 1, 2, 4, 5, 6, 7, 9, 10, 11, 12],
        CommandKind::SetFees { .. } => &[0, 1, 2, 5, 9, 10, 11, 12],
        CommandKind::SetKillSwitch { .. } => &[0, 1, 2, 4, 15],
        CommandKind::SetHalt { .. } => &[0, 1, 2, 5, 15],
        CommandKind::SetReferencePrice { .. } => &[0, 1, 2, 5, 9],
    }
}
