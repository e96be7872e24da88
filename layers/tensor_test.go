package layers

import "testing"

func TestTensorResizeReusesStorage(t *testing.T) {
	x := NewTensor(2, 3, 4)
	if x.Len() != 24 || x.Dim(2) != 4 {
		t.Fatalf("NewTensor(2,3,4): Len %d, Dim(2) %d", x.Len(), x.Dim(2))
	}
	p := &x.Data[0]
	x.Resize(4, 6)
	if x.Len() != 24 || &x.Data[0] != p {
		t.Fatalf("Resize(4,6) did not reuse storage: Len %d", x.Len())
	}
	if allocs := testing.AllocsPerRun(10, func() { x.Resize(2, 12); x.Resize(3, 2, 4) }); allocs != 0 {
		t.Errorf("Resize within capacity allocated %v times", allocs)
	}
	x.Resize(5, 5)
	if x.Len() != 25 || !x.SameShape(NewTensor(5, 5)) {
		t.Fatalf("Resize(5,5): %v, Len %d", x.Shape, x.Len())
	}
}

func TestFromSliceChecksLength(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("FromSlice with 5 values for shape [2 3] did not panic")
		}
	}()
	FromSlice(make([]float32, 5), 2, 3)
}

func TestPrefixParamsSharesTensors(t *testing.T) {
	p := NewParam("weight", 2, 2)
	q := PrefixParams("encoder.0", []*Param{p})[0]
	if q.Name != "encoder.0.weight" || q.Value != p.Value || q.Grad != p.Grad {
		t.Errorf("PrefixParams: got %q, shared value %v, shared grad %v", q.Name, q.Value == p.Value, q.Grad == p.Grad)
	}
}
