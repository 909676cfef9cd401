package props

import (
	"fmt"
	"testing"
)

func TestZZDebug(t *testing.T) {
	g := calcEventGen()
	dist := map[string]int{}
	for i := 0; i < 2000; i++ {
		ev := g.Example(i)
		if i < 30 {
			fmt.Println(ev.JSON, "|", ev.Invalid)
		}
		if ev.Invalid != "" {
			dist["invalid"]++
			continue
		}
		m := modelCalc(ev.Num1, ev.Num2)
		k := fmt.Sprintf("%d/%d", m.success, len(m.failures))
		for _, f := range m.failures {
			k += " " + f.operation + ":" + f.errorType
		}
		dist[k]++
	}
	fmt.Println(dist)
}
