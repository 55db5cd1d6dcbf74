//! Prometheus metrics at `/metrics`: request counts and latencies by route and status class.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("tribune");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0])
        });
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register_collector(Box::new(WorkCollector));
        Metrics {
            registry,
            requests,
            latency,
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Process-wide totals read at each scrape: SQL statements run and template rendering, so the
/// queries per page and the rendering time can be measured under load (scripts/bench-web.sh).
#[derive(Debug)]
struct WorkCollector;

impl Collector for WorkCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let statements = ConstCounter::new(tribune_store::statements_run());
        statements.encode(encoder.encode_descriptor(
            "db_statements",
            "SQL statements run (BEGIN and COMMIT not counted)",
            None,
            statements.metric_type(),
        )?)?;
        let (renders, seconds) = crate::pages::render_totals();
        let renders = ConstCounter::new(renders);
        renders.encode(encoder.encode_descriptor(
            "template_renders",
            "HTML pages rendered",
            None,
            renders.metric_type(),
        )?)?;
        let seconds = ConstCounter::new(seconds);
        seconds.encode(encoder.encode_descriptor(
            "template_render_seconds",
            "Time spent rendering HTML pages",
            None,
            seconds.metric_type(),
        )?)?;
        Ok(())
    }
}

pub async fn track(State(state): State<crate::AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method()).to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let labels = RequestLabels {
        method,
        route,
        status: format!("{}xx", response.status().as_u16() / 100),
    };
    let metrics = state.metrics();
    metrics.requests.get_or_create(&labels).inc();
    metrics
        .latency
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, anything a client invents as `other`, so
/// a stream of made-up methods cannot grow the label set (and memory) without bound.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
