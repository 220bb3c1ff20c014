package benchload

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// Protobuf is a client that speaks application/vnd.kubernetes.protobuf to
// one resource, as a generated clientset does, without the resource's types
// compiled in: Encode gives an object's message, and what a create or list
// returns is decoded down to each object's ObjectMeta with its generated
// Unmarshal, the part of a typed decode every kind has (watch events are
// read for their type alone, as JSON ones are).
type Protobuf struct {
	client     *http.Client
	cfg        *rest.Config // for watches, each on a connection of its own
	collection string       // URL of the resource in the namespace
	apiVersion string
	kind       string
	// Encode returns the i-th object's message (a unique name), without
	// the envelope (see MessageField and ObjectMetaField).
	Encode func(i int) []byte
}

// NewProtobuf returns a protobuf client of a resource of kind in namespace.
func NewProtobuf(cfg *rest.Config, gvr schema.GroupVersionResource, kind, namespace string, encode func(i int) []byte) (*Protobuf, error) {
	c, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return &Protobuf{
		client:     c,
		cfg:        cfg,
		collection: fmt.Sprintf("%s/apis/%s/%s/namespaces/%s/%s", strings.TrimSuffix(cfg.Host, "/"), gvr.Group, gvr.Version, namespace, gvr.Resource),
		apiVersion: gvr.GroupVersion().String(),
		kind:       kind,
		Encode:     encode,
	}, nil
}

// protobufMagic starts every message of the Kubernetes protobuf serializer.
var protobufMagic = []byte("k8s\x00")

// ObjectMetaField is an object's field 1: its metadata, named name.
func ObjectMetaField(name string) []byte {
	meta := metav1.ObjectMeta{Name: name}
	data, err := meta.Marshal()
	if err != nil {
		panic(err) // a name always marshals
	}
	return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), data)
}

// MessageField appends field number n holding message msg to b.
func MessageField(b []byte, n protowire.Number, msg []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, n, protowire.BytesType), msg)
}

func (p *Protobuf) do(ctx context.Context, method, url string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", runtime.ContentTypeProtobuf)
	if body != nil {
		req.Header.Set("Content-Type", runtime.ContentTypeProtobuf)
	}
	return p.client.Do(req)
}

// envelope wraps an object's message as the serializer does.
func (p *Protobuf) envelope(msg []byte) []byte {
	u := runtime.Unknown{TypeMeta: runtime.TypeMeta{APIVersion: p.apiVersion, Kind: p.kind}, Raw: msg}
	data, err := u.Marshal()
	if err != nil {
		panic(err) // Unknown always marshals
	}
	return append(append([]byte{}, protobufMagic...), data...)
}

// unwrap reads an envelope and returns its message.
func unwrap(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, protobufMagic) {
		return nil, fmt.Errorf("not protobuf: %q", data[:min(len(data), 32)])
	}
	var u runtime.Unknown
	if err := u.Unmarshal(data[len(protobufMagic):]); err != nil {
		return nil, err
	}
	return u.Raw, nil
}

// Create creates the i-th object.
func (p *Protobuf) Create(ctx context.Context, i int) error {
	resp, err := p.do(ctx, http.MethodPost, p.collection, p.envelope(p.Encode(i)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("create: %s: %q", resp.Status, body[:min(len(body), 256)])
	}
	msg, err := unwrap(body)
	if err != nil {
		return err
	}
	_, err = objectMeta(msg)
	return err
}

// List lists the resource and returns how many objects it holds and the
// list's resourceVersion; rv "0" lists from the watch cache.
func (p *Protobuf) List(ctx context.Context, rv string) (int, string, error) {
	url := p.collection
	if rv != "" {
		url += "?resourceVersion=" + rv
	}
	resp, err := p.do(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("list: %s: %q", resp.Status, body[:min(len(body), 256)])
	}
	msg, err := unwrap(body)
	if err != nil {
		return 0, "", err
	}
	// A list: field 1 its ListMeta, field 2 each item.
	n, listRV := 0, ""
	err = fields(msg, func(num protowire.Number, v []byte) error {
		switch num {
		case 1:
			var lm metav1.ListMeta
			if err := lm.Unmarshal(v); err != nil {
				return err
			}
			listRV = lm.ResourceVersion
		case 2:
			if _, err := objectMeta(v); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, listRV, err
}

// objectMeta decodes an object's metadata (field 1).
func objectMeta(msg []byte) (*metav1.ObjectMeta, error) {
	var meta *metav1.ObjectMeta
	err := fields(msg, func(num protowire.Number, v []byte) error {
		if num != 1 {
			return nil
		}
		meta = &metav1.ObjectMeta{}
		return meta.Unmarshal(v)
	})
	if err == nil && meta == nil {
		err = fmt.Errorf("an object without metadata")
	}
	return meta, err
}

// fields calls fn with each length-delimited field of msg.
func fields(msg []byte, fn func(protowire.Number, []byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		if typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, msg)
			if n < 0 {
				return protowire.ParseError(n)
			}
			msg = msg[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		if err := fn(num, v); err != nil {
			return err
		}
		msg = msg[n:]
	}
	return nil
}

// Watch opens a watch from rv; its body is a stream of length-prefixed frames.
// Each watch has a connection of its own (see openWatch).
func (p *Protobuf) Watch(ctx context.Context, rv string) (io.ReadCloser, error) {
	return openWatch(ctx, p.cfg, p.collection+"?watch=true&resourceVersion="+rv, runtime.ContentTypeProtobuf)
}

// countAdded reads protobuf watch frames (a big-endian length, then a
// WatchEvent) until n ADDED events came, and reports whether they did. As
// for a JSON watch, only the event's type is read: what is measured is the
// server's delivery, not the client's decoding.
func countAdded(stream io.Reader, n int) bool {
	r := bufio.NewReader(stream)
	var size [4]byte
	var frame []byte
	seen := 0
	for {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return false
		}
		length := int(binary.BigEndian.Uint32(size[:]))
		frame = slices.Grow(frame[:0], length)[:length]
		if _, err := io.ReadFull(r, frame); err != nil {
			return false
		}
		// A frame is a WatchEvent, unwrapped (the apiserver's stream
		// serializer is the raw one): field 1 is its type.
		added := false
		if err := fields(frame, func(num protowire.Number, v []byte) error {
			if num == 1 {
				added = string(v) == "ADDED"
			}
			return nil
		}); err != nil {
			return false
		}
		if !added {
			continue
		}
		if seen++; seen == n {
			return true
		}
	}
}
