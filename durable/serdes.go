package durable

import "encoding/json"

// Serdes turns an operation's result into the string stored in its
// checkpoint and back. Deserialize receives a pointer to the result type.
type Serdes interface {
	Serialize(v any) (string, error)
	Deserialize(data string, ptr any) error
}

// JSONSerdes is the default Serdes: plain encoding/json.
type JSONSerdes struct{}

// Serialize encodes v as compact JSON.
func (JSONSerdes) Serialize(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Deserialize decodes JSON data into ptr.
func (JSONSerdes) Deserialize(data string, ptr any) error {
	return json.Unmarshal([]byte(data), ptr)
}

// defaultSerdes is shared so options that leave the serdes unset cost nothing.
var defaultSerdes Serdes = JSONSerdes{}

// isDefaultSerdes reports whether s writes plain JSON that can be embedded
// verbatim in a larger JSON document (the Parallel payload).
func isDefaultSerdes(s Serdes) bool {
	_, ok := s.(JSONSerdes)
	return ok
}
