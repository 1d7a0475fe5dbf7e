pragma circom 2.1.5;

include "lib/credit_leaf.circom";

// Lets a depositor take its stake out: proves knowledge of (sk, n) with
// Poseidon(Poseidon(sk), n) = leaf, revealing neither. The proof is bound to `recipient`
// (an address as a field element) so a copy seen in the mempool cannot be replayed to pay
// someone else, and to the pool's `scope`, so a leaf deposited in two pools cannot be made to
// exit from the other one with a copy.
//
// Public signals, in the order snarkjs lists them: leaf, recipient, scope.
template Exit() {
    signal input sk;
    signal input n;

    signal input leaf;
    signal input recipient;
    signal input scope;

    signal computedLeaf <== CreditLeaf()(sk, n);
    computedLeaf === leaf;

    // A public input that no constraint uses has a zero verifier point, so the proof would
    // verify for any recipient. Squaring it ties it to the proof (as Tornado and Semaphore do);
    // a quadratic constraint survives --O2.
    signal recipientSquare <== recipient * recipient;
    signal scopeSquare <== scope * scope;
}

component main {public [leaf, recipient, scope]} = Exit();
