package props

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestZZProbe(t *testing.T) {
	for _, src := range []string{
		`{"root":{"branches":[{"ops":null},{"ops":[{"kind":"step","failures":-1,"attempts":2,"strategy":"linear","errorType":"BoomError"}]}],"policy":{"preset":"default"}}}`,
		`{"root":{"branches":[{"ops":null},{"ops":[{"kind":"step","failures":1,"attempts":1,"errorType":"BoomError"}]}],"policy":{"preset":"default"}}}`,
	} {
		var p program
		json.Unmarshal([]byte(src), &p)
		for _, picks := range [][]int{{}, {0}, {1}, {0, 0}, {0, 1}, {1, 0}, {1, 1}, {0, 1, 1}, {1, 0, 1}, {0,0,1}} {
			for _, f := range []*fault{nil, {Kind: faultCrash, Call: 1}} {
				res, _ := runProgram(t, p, schedule{Picks: picks, Seed: 0}, f)
				fmt.Println(picks, f != nil, len(res.Invocations), *res.Output)
			}
		}
	}
}
