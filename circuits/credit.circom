pragma circom 2.1.5;

include "poseidon.circom";
include "comparators.circom";
include "bitify.circom";
include "lib/credit_leaf.circom";
include "lib/lean_imt_root.circom";

// One anonymous API call paid with ticket `i` of a deposit of `n` tickets.
//
// Proves: Poseidon(Poseidon(sk), n) is a leaf of the LeanIMT with root `root`, 0 <= i < n < 2^32,
// and outputs the rate-limiting-nullifier pair for (scope, i):
//   a1        = Poseidon(sk, scope, i)
//   y         = sk + a1 * x          (a point on the line with slope a1 through (0, sk))
//   nullifier = Poseidon(a1)
// Spending ticket i twice in one scope gives two points of the same line, and anyone can
// recover sk from them. a1 is never output: from (x, y, a1) sk = y - a1 * x in one proof.
//
// Public signals, in the order snarkjs lists them: y, nullifier, root, scope, x.
template Credit(MAX_DEPTH) {
    signal input sk;
    signal input n;
    signal input i;
    signal input depth;
    signal input index;
    signal input siblings[MAX_DEPTH];

    // Public inputs; their declaration order is their order among the public signals.
    signal input root;
    signal input scope;
    signal input x;

    signal output y;
    signal output nullifier;

    // Membership.
    signal leaf <== CreditLeaf()(sk, n);
    signal computedRoot <== LeanIMTRoot(MAX_DEPTH)(leaf, depth, index, siblings);
    computedRoot === root;

    // Range-limit both to 32 bits before comparing: LessThan(32) is only sound for inputs
    // below 2^32, and without it i = p - 1 would pass as "i + 2^32 - n" wraps around.
    _ <== Num2Bits(32)(n);
    _ <== Num2Bits(32)(i);
    signal iBelowN <== LessThan(32)([i, n]);
    iBelowN === 1;

    // x = 0 would make y = sk: refuse to build such a proof at all.
    signal xInverse;
    xInverse <-- x != 0 ? 1 / x : 0;
    xInverse * x === 1;

    signal a1 <== Poseidon(3)([sk, scope, i]);
    y <== sk + a1 * x;
    nullifier <== Poseidon(1)([a1]);
}

component main {public [root, scope, x]} = Credit(20);
