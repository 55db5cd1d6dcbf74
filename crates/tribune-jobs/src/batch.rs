//! Group commit for handlers: requests that arrive while a batch is being written wait and go
//! together in the next one. Nothing waits on a timer: an idle publisher writes each request
//! alone at once; a busy one writes what queued up during the last commit in one transaction.
//! The batch function is called by one task at a time per [`Coalescer`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

type BatchFn<Req, Resp> =
    Arc<dyn Fn(Vec<Req>) -> Pin<Box<dyn Future<Output = Vec<Resp>> + Send>> + Send + Sync>;
type Queue<Req, Resp> = mpsc::UnboundedSender<(Req, oneshot::Sender<Resp>)>;

pub struct Coalescer<Req, Resp> {
    max: usize,
    run: BatchFn<Req, Resp>,
    /// Started on first use, inside the caller's runtime.
    queue: OnceLock<Queue<Req, Resp>>,
}

impl<Req: Send + 'static, Resp: Send + 'static> Coalescer<Req, Resp> {
    /// `run` answers a batch of at most `max` requests, one answer per request in order.
    pub fn new<F, Fut>(max: usize, run: F) -> Self
    where
        F: Fn(Vec<Req>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<Resp>> + Send + 'static,
    {
        Coalescer {
            max: max.max(1),
            run: Arc::new(move |batch| Box::pin(run(batch))),
            queue: OnceLock::new(),
        }
    }

    /// Sends `request` with the next batch and waits for its answer; `None` if the batch task
    /// is gone (its runtime shut down) or did not answer this request.
    pub async fn call(&self, request: Req) -> Option<Resp> {
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(serve(receiver, self.max, self.run.clone()));
            sender
        });
        let (reply, answer) = oneshot::channel();
        queue.send((request, reply)).ok()?;
        answer.await.ok()
    }
}

async fn serve<Req, Resp>(
    mut receiver: mpsc::UnboundedReceiver<(Req, oneshot::Sender<Resp>)>,
    max: usize,
    run: BatchFn<Req, Resp>,
) {
    while let Some(first) = receiver.recv().await {
        // Let the tasks that are ready (e.g. jobs claimed together) queue theirs too.
        tokio::task::yield_now().await;
        let mut batch = vec![first];
        while batch.len() < max {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (requests, replies): (Vec<Req>, Vec<oneshot::Sender<Resp>>) = batch.into_iter().unzip();
        let answers = run(requests).await;
        // A missing answer drops its reply: that caller sees `None`.
        for (reply, answer) in replies.into_iter().zip(answers) {
            let _ = reply.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_made_together_share_a_batch_and_each_gets_its_answer() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let coalescer = Arc::new(Coalescer::new(8, move |batch: Vec<u32>| {
            let seen = seen.clone();
            async move {
                seen.lock().map(|mut s| s.push(batch.len())).ok();
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                batch.into_iter().map(|n| n * 10).collect::<Vec<_>>()
            }
        }));
        let mut calls = tokio::task::JoinSet::new();
        for n in 0..20u32 {
            let coalescer = coalescer.clone();
            calls.spawn(async move { (n, coalescer.call(n).await) });
        }
        while let Some(done) = calls.join_next().await {
            let (n, answer) = done.expect("call task");
            assert_eq!(answer, Some(n * 10));
        }
        let sizes = sizes.lock().expect("sizes").clone();
        assert_eq!(sizes.iter().sum::<usize>(), 20);
        assert!(sizes.iter().all(|s| *s <= 8), "{sizes:?}");
        // 20 requests during 20 ms commits: far fewer batches than requests.
        assert!(sizes.len() < 20, "{sizes:?}");
    }

    #[tokio::test]
    async fn a_batch_that_answers_fewer_requests_leaves_the_rest_without_an_answer() {
        let coalescer = Coalescer::new(4, |_batch: Vec<u32>| async { Vec::<u32>::new() });
        assert_eq!(coalescer.call(1).await, None);
    }
}
