pragma circom 2.1.5;

include "poseidon.circom";

// leaf = Poseidon(Poseidon(sk), n): the identity commitment Poseidon(sk) bound to the number
// of tickets `n` bought with the deposit. Shared by credit.circom and exit.circom so the two
// circuits cannot drift apart on what a leaf is.
template CreditLeaf() {
    signal input sk;
    signal input n;
    signal output leaf;

    signal commitment <== Poseidon(1)([sk]);
    leaf <== Poseidon(2)([commitment, n]);
}
