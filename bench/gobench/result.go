package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// result holds the figures of one run in the order they were put, printable as one JSON line or
// as a two-column table, formatted as `roomcast bench` formats them (decimals with three places).
type result struct {
	keys   []string
	values map[string]interface{}
}

func newResult() *result {
	return &result{values: map[string]interface{}{}}
}

// put adds or replaces a figure: a string, an int, an int64 or a float64.
func (r *result) put(key string, value interface{}) *result {
	if _, seen := r.values[key]; !seen {
		r.keys = append(r.keys, key)
	}
	r.values[key] = value
	return r
}

func (r *result) json() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, key := range r.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		quoted, _ := json.Marshal(key)
		b.Write(quoted)
		b.WriteByte(':')
		if text, isText := r.values[key].(string); isText {
			quoted, _ = json.Marshal(text)
			b.Write(quoted)
		} else {
			b.WriteString(formatNumber(r.values[key]))
		}
	}
	b.WriteByte('}')
	return b.String()
}

func (r *result) table() string {
	width := 0
	for _, key := range r.keys {
		if len(key) > width {
			width = len(key)
		}
	}
	var b strings.Builder
	for _, key := range r.keys {
		shown, isText := r.values[key].(string)
		if !isText {
			shown = formatNumber(r.values[key])
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, key, shown)
	}
	return b.String()
}

func formatNumber(value interface{}) string {
	if f, isFloat := value.(float64); isFloat {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "null"
		}
		return fmt.Sprintf("%.3f", f)
	}
	return fmt.Sprint(value)
}
