//! Transactions that code outside the store can hold, so that several writes commit together (a
//! change and its audit event now; an item and its ingestion cursor, or a post and its job,
//! later). Store methods that take `&mut Transaction` run inside it; the transaction rolls back
//! if it is dropped without [`Transaction::commit`]. Never hold one across a network call.

use crate::audit::{self, AuditEvent};
use crate::db::{Conn, Tx};
use crate::{Store, StoreError, WorkspaceScope};

pub struct Transaction {
    tx: Tx,
}

impl Store {
    /// Opens a transaction (on SQLite it takes the write lock at once).
    pub async fn begin(&self) -> Result<Transaction, StoreError> {
        Ok(Transaction {
            tx: self.db.begin().await?,
        })
    }
}

impl Transaction {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }

    pub(crate) fn tx_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await
    }

    /// Records `event` in the workspace's audit trail, as the scope's actor, inside this
    /// transaction.
    pub async fn audit(
        &mut self,
        scope: &WorkspaceScope,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        audit::record(
            &mut self.conn(),
            Some(scope.workspace()),
            scope.actor(),
            event,
        )
        .await
    }
}
