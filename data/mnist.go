package data

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FashionMNISTDir is where Debian's package dataset-fashion-mnist installs
// Fashion-MNIST (gzip-compressed IDX files).
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// The MNIST file names, without the optional ".gz".
var mnistFiles = [4]string{
	"train-images-idx3-ubyte",
	"train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte",
	"t10k-labels-idx1-ubyte",
}

// mnistCandidates returns the names a file may have: the canonical name,
// with ".gz", and the variant with a dot before "idx" that some mirrors use
// (train-images.idx3-ubyte), also with ".gz".
func mnistCandidates(base string) []string {
	i := strings.LastIndex(base, "-idx")
	dotted := base[:i] + "." + base[i+1:]
	return []string{base, base + ".gz", dotted, dotted + ".gz"}
}

// MNISTFiles returns the paths of the four MNIST-format files in dir, in the
// order train images, train labels, test images, test labels. Each may be
// raw or gzip-compressed (name ending in ".gz"). When any is missing the
// error names every expected file and wraps fs.ErrNotExist.
func MNISTFiles(dir string) ([4]string, error) {
	var paths [4]string
	var missing []string
	for k, base := range mnistFiles {
		for _, name := range mnistCandidates(base) {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				paths[k] = p
				break
			}
		}
		if paths[k] == "" {
			missing = append(missing, base)
		}
	}
	if missing != nil {
		return paths, fmt.Errorf("data: MNIST-format files missing in %s: %s (expected %s, each raw or with .gz): %w",
			dir, strings.Join(missing, ", "), strings.Join(mnistFiles[:], ", "), fs.ErrNotExist)
	}
	return paths, nil
}

// LoadMNIST reads the MNIST-format training and test sets in dir (MNIST,
// Fashion-MNIST, ...; see MNISTFiles for the names): one-channel 28×28
// images with values in [0,1] and their labels. It checks that images and
// labels agree in number.
//
// The images keep their size: the RRAE architecture adapts to 28×28, while
// IRMAE (irmae.txt, appendix 5.1.1: "all images are resized to 32x32")
// needs Resize(d, 32, 32).
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	paths, err := MNISTFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	train, err = loadImagesLabels(paths[0], paths[1])
	if err != nil {
		return nil, nil, err
	}
	test, err = loadImagesLabels(paths[2], paths[3])
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func loadImagesLabels(imgPath, lblPath string) (*Dataset, error) {
	d, err := ReadIDXImages(imgPath)
	if err != nil {
		return nil, err
	}
	l, err := ReadIDXLabels(lblPath)
	if err != nil {
		return nil, err
	}
	if len(l) != d.N {
		return nil, fmt.Errorf("data: %s holds %d images but %s holds %d labels", imgPath, d.N, lblPath, len(l))
	}
	d.Labels = l
	return d, nil
}
