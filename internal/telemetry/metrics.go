package telemetry

import (
	"context"
	"strconv"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"
)

// instruments are the metrics: the GenAI client histograms as semconv
// 1.41.0 defines them, and midstream.exchanges, the counter to alert on.
type instruments struct {
	duration  genaiconv.ClientOperationDuration
	ttfc      genaiconv.ClientOperationTimeToFirstChunk
	perChunk  genaiconv.ClientOperationTimePerOutputChunk
	exchanges metric.Int64Counter
}

func newInstruments(m metric.Meter) (instruments, error) {
	var in instruments
	var err error
	if in.duration, err = genaiconv.NewClientOperationDuration(m); err != nil {
		return in, err
	}
	if in.ttfc, err = genaiconv.NewClientOperationTimeToFirstChunk(m); err != nil {
		return in, err
	}
	if in.perChunk, err = genaiconv.NewClientOperationTimePerOutputChunk(m); err != nil {
		return in, err
	}
	in.exchanges, err = m.Int64Counter("midstream.exchanges",
		metric.WithDescription("Exchanges midstream judged, by mismatch (HTTP status vs the status the stream's error stands for), outcome, mapped status, provider and model."),
		metric.WithUnit("{exchange}"))
	return in, err
}

// record adds one exchange to the metrics. Attribute values are bounded
// sets (outcome, provider, status) or cleaned model names.
func (in *instruments) record(v *inspect.Verdict, m *meta) {
	ctx := context.Background()
	op := genaiconv.OperationNameChat
	prov := genaiconv.ProviderNameAttr(providerName(v))
	common := []attribute.KeyValue{}
	if model := requestModel(v); model != "" {
		common = append(common, semconv.GenAIRequestModel(clean(model, 256)))
	}
	if m.Model != "" {
		common = append(common, semconv.GenAIResponseModel(clean(m.Model, 256)))
	}
	common = append(common, serverAttrs(v)...)
	timed := v.Exchange != nil && v.Exchange.Timed && v.Timing != nil
	if timed {
		withErr := common
		if et := errorType(v); et != "" {
			withErr = append(withErr[:len(withErr):len(withErr)], semconv.ErrorTypeKey.String(et))
		}
		in.duration.Record(ctx, v.Timing.Duration.Seconds(), op, prov, withErr...)
		if v.Timing.TTFB > 0 {
			in.ttfc.Record(ctx, v.Timing.TTFB.Seconds(), op, prov, common...)
		}
		in.chunkGaps(ctx, v.Exchange, op, prov, common)
	}
	mapped := "none"
	if v.MappedStatus != 0 {
		mapped = strconv.Itoa(v.MappedStatus)
	}
	ca := append(common[:len(common):len(common)],
		attribute.Bool("mismatch", v.Mismatch),
		attribute.String("outcome", string(v.Outcome)),
		attribute.String("mapped_status", mapped),
		semconv.GenAIProviderNameKey.String(string(prov)),
		semconv.GenAIOperationNameKey.String(string(op)))
	if v.HTTPStatus != 0 {
		ca = append(ca, semconv.HTTPResponseStatusCode(v.HTTPStatus))
	}
	in.exchanges.Add(ctx, 1, metric.WithAttributes(ca...))
}

// chunkGaps records time_per_output_chunk: for each body chunk after the
// first, the time since the previous one (the conventions' definition).
// The chunks are walked in place (EachChunk), not copied.
func (in *instruments) chunkGaps(ctx context.Context, x *stream.Exchange, op genaiconv.OperationNameAttr, prov genaiconv.ProviderNameAttr, attrs []attribute.KeyValue) {
	set := attribute.NewSet(append(attrs[:len(attrs):len(attrs)],
		semconv.GenAIOperationNameKey.String(string(op)), semconv.GenAIProviderNameKey.String(string(prov)))...)
	prev := time.Duration(-1)
	_ = x.EachChunk(func(c stream.Chunk) error {
		if prev >= 0 {
			in.perChunk.RecordSet(ctx, (c.At - prev).Seconds(), set)
		}
		prev = c.At
		return nil
	})
}
