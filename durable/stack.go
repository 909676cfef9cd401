package durable

// growStack is called first thing on a new branch goroutine. Its large frame
// makes the runtime give the goroutine a big enough stack in one step, while
// the stack is still nearly empty and cheap to copy; otherwise the stack
// doubles several times deep inside user code and encoding, each time copying
// every frame (that copying was a third of a 4-branch Parallel's CPU time).
//
//go:noinline
func growStack(i int) byte {
	var pad [stackPad]byte
	pad[i] = byte(i)
	return pad[stackPad-1-i]
}

const stackPad = 4 << 10
