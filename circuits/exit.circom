pragma circom 2.1.5;

include "lib/credit_leaf.circom";

// Lets a depositor take its stake out: proves knowledge of (sk, n) with
// Poseidon(Poseidon(sk), n) = leaf, revealing neither. The proof is bound to `recipient`
// (an address as a field element) so a copy seen in the mempool cannot be replayed to pay
// someone else.
//
// Public signals, in the order snarkjs lists them: leaf, recipient.
template Exit() {
    signal input sk;
    signal input n;

    signal input leaf;
    signal input recipient;

    signal computedLeaf <== CreditLeaf()(sk, n);
    computedLeaf === leaf;

    // A public input that no constraint uses has a zero verifier point, so the proof would
    // verify for any recipient. Squaring it ties it to the proof (as Tornado and Semaphore do);
    // a quadratic constraint survives --O2.
    signal recipientSquare <== recipient * recipient;
}

component main {public [leaf, recipient]} = Exit();
