package durable

// growStack is called first thing on a new branch goroutine. Its large frame
// makes the runtime give the goroutine a big enough stack in one step, while
// the stack is still nearly empty and cheap to copy; otherwise the stack
// doubles several times deep inside user code and encoding, each time copying
// every frame (that copying was a third of a 4-branch Parallel's CPU time).
// 8 KiB of padding gives a 16 KiB stack: a branch whose step checkpoints
// through an in-process backend (validation, history, the response) runs
// deeper than 8 KiB, and with 4 KiB each such branch still grew once more,
// costing about 10% of a calculator execution.
//
//go:noinline
func growStack(i int) byte {
	var pad [stackPad]byte
	pad[i] = byte(i)
	return pad[stackPad-1-i]
}

const stackPad = 8 << 10
