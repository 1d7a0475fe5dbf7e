pragma circom 2.1.5;

include "poseidon.circom";
include "comparators.circom";
include "bitify.circom";
include "mux1.circom";

// Root of a LeanIMT (@zk-kit/lean-imt) Merkle proof of variable depth, as Semaphore v4's
// BinaryMerkleRoot computes it. A LeanIMT proof only lists the siblings of the levels that
// have one (a node without a right sibling is carried up unchanged), so `depth` is the number
// of siblings actually used and bit k of `index` says whether the path node at step k is the
// right child (1) or the left one (0). Steps at or past `depth` are still computed (a circuit
// has a fixed shape) but never reach the output: the root is picked at step `depth`.
template LeanIMTRoot(MAX_DEPTH) {
    signal input leaf;
    signal input depth;
    signal input index;
    signal input siblings[MAX_DEPTH];

    signal output root;

    // The bits above `depth` are free: they only steer hashes that are discarded.
    signal indices[MAX_DEPTH] <== Num2Bits(MAX_DEPTH)(index);

    signal nodes[MAX_DEPTH + 1];
    nodes[0] <== leaf;

    signal isDepth[MAX_DEPTH + 1];
    signal picked[MAX_DEPTH + 1];
    var pickedSum = 0;
    var depthHits = 0;

    for (var k = 0; k < MAX_DEPTH; k++) {
        isDepth[k] <== IsEqual()([depth, k]);
        picked[k] <== isDepth[k] * nodes[k];
        pickedSum += picked[k];
        depthHits += isDepth[k];

        var children[2][2] = [[nodes[k], siblings[k]], [siblings[k], nodes[k]]];
        nodes[k + 1] <== Poseidon(2)(MultiMux1(2)(children, indices[k]));
    }
    isDepth[MAX_DEPTH] <== IsEqual()([depth, MAX_DEPTH]);
    picked[MAX_DEPTH] <== isDepth[MAX_DEPTH] * nodes[MAX_DEPTH];
    pickedSum += picked[MAX_DEPTH];
    depthHits += isDepth[MAX_DEPTH];

    // Exactly one step matched, i.e. 0 <= depth <= MAX_DEPTH. Without it a depth past the
    // maximum would give root 0, which a contract with zero-initialised root storage might take.
    depthHits === 1;

    root <== pickedSum;
}
