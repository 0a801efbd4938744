//! Group commit for gate check-ins: requests arriving together are applied in one transaction.
//!
//! At a gate under pressure many phones send at once. Each check-in is a small write, and on
//! SQLite every commit pays the same fixed cost (the write lock, the journal, SQLCipher
//! encrypting each page it writes), so one transaction per check-in caps the rate well below
//! what the work itself needs. The queue hands every request to one task, which takes all that
//! are waiting (up to a batch's size), applies them with [`Store::check_in_batch`] and answers
//! each caller only after the commit: an acknowledged check-in is on disk, in the database's
//! journal, whatever happens to the process next.

use crate::{Actor, CheckIn, CheckInOutcome, Result, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

type Reply = oneshot::Sender<Result<CheckInOutcome>>;

/// A handle to the check-in task; cheap to clone. The task ends when every handle is dropped.
#[derive(Clone)]
pub struct CheckInQueue {
    sender: mpsc::Sender<(Actor, CheckIn, Reply)>,
}

impl CheckInQueue {
    /// Starts the task on the current tokio runtime. `max_batch` bounds one transaction (and so
    /// the wait of the last request in it); 256 keeps a batch well under 50 ms on a laptop.
    pub fn start<S: Store>(store: S, max_batch: usize) -> CheckInQueue {
        let max_batch = max_batch.max(1);
        let (sender, mut receiver) = mpsc::channel::<(Actor, CheckIn, Reply)>(max_batch * 8);
        tokio::spawn(async move {
            let mut waiting = Vec::with_capacity(max_batch);
            while receiver.recv_many(&mut waiting, max_batch).await > 0 {
                let (items, replies): (Vec<(Actor, CheckIn)>, Vec<Reply>) = waiting
                    .drain(..)
                    .map(|(actor, check_in, reply)| ((actor, check_in), reply))
                    .unzip();
                let (size, began) = (items.len(), std::time::Instant::now());
                let result = store.check_in_batch(items).await;
                tracing::debug!(size, elapsed = ?began.elapsed(), "check-in batch");
                match result {
                    Ok(outcomes) => {
                        for (reply, outcome) in replies.into_iter().zip(outcomes) {
                            let _ = reply.send(outcome);
                        }
                    }
                    Err(error) => {
                        // Nothing was committed: every caller hears so, and may send again
                        // (the action's id makes a second sending harmless).
                        let message = error.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(StoreError::Unavailable(message.clone())));
                        }
                    }
                }
            }
        });
        CheckInQueue { sender }
    }

    /// Applies one check-in with whatever else is waiting; returns once it is committed.
    pub async fn check_in(&self, actor: Actor, check_in: CheckIn) -> Result<CheckInOutcome> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send((actor, check_in, reply))
            .await
            .map_err(|_| StoreError::Unavailable("the check-in queue has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the check-in queue has stopped".into()))?
    }
}
