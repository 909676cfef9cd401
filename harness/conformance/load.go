package conformance

import (
	"fmt"
	"io"
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
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &ReadError{File: path, Problem: err.Error()}
	}
	suite := filepath.Base(filepath.Dir(abs))
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return Parse(path, suite, id, data)
}

// readLimited reads a file of at most MaxFileBytes; it never reads more than
// one byte past the limit, whatever the file claims its size is.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ReadError{File: path, Problem: err.Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, &ReadError{File: path, Problem: err.Error()}
	}
	if len(data) > MaxFileBytes {
		return nil, tooLarge(path)
	}
	return data, nil
}

func tooLarge(file string) *ReadError {
	return &ReadError{File: file, Problem: fmt.Sprintf("larger than %d bytes (1 MiB), the limit for a requirement file", MaxFileBytes)}
}

// Load reads the requirement files named by paths; a directory contributes every
// .yaml and .yml file below it, and a file named more than once is read
// once. The result is sorted by suite, then by id in
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
	for _, f := range distinctFiles(files) {
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

// distinctFiles drops the files named earlier in the list, so a file named
// twice (or named and also inside a named folder, or reached through a
// link) is read once. A file that cannot be examined is kept: reading it
// reports the problem.
func distinctFiles(files []string) []string {
	var out []string
	var infos []os.FileInfo
	for _, f := range files {
		info, err := os.Stat(f)
		if err == nil && slices.ContainsFunc(infos, func(prev os.FileInfo) bool { return os.SameFile(prev, info) }) {
			continue
		}
		if err == nil {
			infos = append(infos, info)
		}
		out = append(out, f)
	}
	return out
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
