package layers

import (
	"os"
	"strconv"
)

func init() {
	if v := os.Getenv("BAND"); v != "" {
		ConvBandBytes, _ = strconv.Atoi(v)
	}
}
