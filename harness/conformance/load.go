package conformance

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ReadFile reads one requirement file. The suite is the name of the folder that
// holds it and the id is the file name without its extension.
func ReadFile(path string) (*Requirement, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ReadError{File: path, Problem: err.Error()}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &ReadError{File: path, Problem: err.Error()}
	}
	suite := filepath.Base(filepath.Dir(abs))
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return Parse(path, suite, id, data)
}

// Load reads the requirement files named by paths; a directory contributes every
// .yaml and .yml file below it. The result is sorted by suite, then by id in
// natural order (1-2 before 1-10). Two files with the same suite/id are an error.
func Load(paths ...string) ([]*Requirement, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, &ReadError{File: p, Problem: err.Error()}
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, &ReadError{File: p, Problem: err.Error()}
		}
	}
	var reqs []*Requirement
	seen := map[string]string{}
	for _, f := range files {
		r, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[r.Key()]; dup {
			return nil, &ReadError{File: f, Problem: fmt.Sprintf("requirement %s is also defined by %s", r.Key(), prev)}
		}
		seen[r.Key()] = f
		reqs = append(reqs, r)
	}
	slices.SortFunc(reqs, func(a, b *Requirement) int {
		if c := strings.Compare(a.Suite, b.Suite); c != 0 {
			return c
		}
		return naturalCompare(a.ID, b.ID)
	})
	return reqs, nil
}

// naturalCompare orders strings with runs of digits compared as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na - nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
