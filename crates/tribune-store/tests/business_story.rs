//! The freelance back office's storage on SQLite and PostgreSQL: a business profile belongs to
//! its owner alone, clients hang off the business, and another account can neither read nor
//! write them (isolation by construction: no `BusinessScope` for them).
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use jiff::civil::date;
use tribune_business::{Category, Periodicity, RateKind, RateTable, Siret, table::SHIPPED};
use tribune_domain::ids::{BusinessClientId, BusinessId};
use tribune_store::StoreError;
use tribune_store::business::{BusinessProfile, ClientKind, ClientNew};
use tribune_store::testing::{each_backend, profile, user};

fn client(name: &str) -> ClientNew {
    ClientNew {
        kind: ClientKind::Business,
        name: name.into(),
        address: "1 rue du Four\n75006 Paris".into(),
        siren: Some("443 061 841".parse().unwrap()),
        email: Some("compta@example.fr".into()),
        workspace: None,
    }
}

#[tokio::test]
async fn a_business_profile_is_stored_typed_and_only_its_owner_gets_its_scope() {
    each_backend(|store, backend| async move {
        let owner = store
            .create_user(&user("cm@example.fr"), false)
            .await
            .unwrap();
        let other = store
            .create_user(&user("other@example.fr"), false)
            .await
            .unwrap();

        let mut profile_in = BusinessProfile::new("  Camille Martin EI  ");
        profile_in.siret = Some("443 061 841 00047".parse::<Siret>().unwrap());
        profile_in.versement_liberatoire = true;
        profile_in.periodicity = Periodicity::Quarterly;
        profile_in.started_on = Some(date(2026, 4, 1));
        profile_in.acre = Some((date(2026, 4, 1), date(2027, 3, 31)));
        profile_in.ape_code = Some("70.21Z".into());
        let (scope, created) = store
            .create_business(owner.user_id(), &profile_in, 100)
            .await
            .unwrap();
        assert_eq!(created.owner, owner.user_id(), "{backend}");
        assert_eq!(
            created.profile.legal_name, "Camille Martin EI",
            "trimmed on {backend}"
        );
        assert_eq!(
            created.profile.category,
            Category::BncSsi,
            "the default, {backend}"
        );
        assert!(
            created.profile.vat_franchise,
            "franchise by default on {backend}"
        );
        assert_eq!(created.profile.siret, profile_in.siret);
        assert_eq!(created.profile.acre, profile_in.acre);
        assert_eq!(created.profile.started_on, Some(date(2026, 4, 1)));
        assert_eq!(created.profile.periodicity, Periodicity::Quarterly);
        assert_eq!(store.business(&scope).await.unwrap(), created, "{backend}");

        // The owner finds it again; anyone else gets no scope, as if it did not exist.
        let again = store
            .business_scope(owner.user_id(), created.id)
            .await
            .unwrap();
        assert_eq!(again, scope);
        assert!(matches!(
            store.business_scope(other.user_id(), created.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .business_scope(owner.user_id(), BusinessId(created.id.0 + 1000))
                .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(store.businesses_of(owner.user_id()).await.unwrap().len(), 1);
        assert!(
            store
                .businesses_of(other.user_id())
                .await
                .unwrap()
                .is_empty()
        );

        // Update: typed fields change, the audit names the fields without their values.
        let mut changed = created.profile.clone();
        changed.category = Category::BicServices;
        changed.vat_franchise = false;
        let updated = store.update_business(&scope, &changed, 200).await.unwrap();
        assert_eq!(updated.profile.category, Category::BicServices, "{backend}");
        assert!(!updated.profile.vat_franchise);
        assert_eq!(updated.updated_at, 200);
        assert_eq!(updated.created_at, 100);

        // Bad input is refused by field.
        let mut empty = changed.clone();
        empty.legal_name = "   ".into();
        let Err(StoreError::Invalid(invalid)) = store.update_business(&scope, &empty, 300).await
        else {
            panic!("an empty legal name must be refused on {backend}");
        };
        assert_eq!(invalid.for_field("legal_name"), Some("error-required"));
        let mut reversed = changed.clone();
        reversed.acre = Some((date(2026, 4, 1), date(2026, 3, 1)));
        assert!(matches!(
            store.update_business(&scope, &reversed, 300).await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(store.business(&scope).await.unwrap(), updated, "{backend}");
    })
    .await;
}

#[tokio::test]
async fn clients_belong_to_their_business_and_link_only_to_the_owners_workspaces() {
    each_backend(|store, backend| async move {
        let owner = store
            .create_user(&user("cm@example.fr"), false)
            .await
            .unwrap();
        let rival = store
            .create_user(&user("rival@example.fr"), false)
            .await
            .unwrap();
        let (mine, _) = store
            .create_business(
                owner.user_id(),
                &BusinessProfile::new("Camille Martin EI"),
                1,
            )
            .await
            .unwrap();
        let (theirs, _) = store
            .create_business(rival.user_id(), &BusinessProfile::new("Rival EI"), 1)
            .await
            .unwrap();
        let workspace = store
            .create_workspace(owner.user_id(), &profile("Boulangerie Dupont"))
            .await
            .unwrap();
        let foreign = store
            .create_workspace(rival.user_id(), &profile("Garage Rival"))
            .await
            .unwrap();

        let mut bakery = client("Boulangerie Dupont SARL");
        bakery.workspace = Some(workspace.workspace());
        let bakery = store
            .create_business_client(&mine, &bakery, 10)
            .await
            .unwrap();
        assert_eq!(bakery.business, mine.business(), "{backend}");
        assert_eq!(bakery.workspace, Some(workspace.workspace()));
        assert_eq!(bakery.siren.as_ref().map(|s| s.as_str()), Some("443061841"));
        let consumer = store
            .create_business_client(
                &mine,
                &ClientNew {
                    kind: ClientKind::Consumer,
                    name: "Jeanne Petit".into(),
                    address: String::new(),
                    siren: None,
                    email: None,
                    workspace: None,
                },
                11,
            )
            .await
            .unwrap();
        let rival_client = store
            .create_business_client(&theirs, &client("Garage Rival SAS"), 12)
            .await
            .unwrap();

        // Each business sees its own clients, by name.
        let names: Vec<String> = store
            .business_clients(&mine)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(
            names,
            ["Boulangerie Dupont SARL", "Jeanne Petit"],
            "{backend}"
        );
        assert_eq!(store.business_clients(&theirs).await.unwrap().len(), 1);
        assert_eq!(
            store.business_client(&mine, consumer.id).await.unwrap(),
            consumer
        );
        // Another business's client is not found through this scope.
        assert!(matches!(
            store.business_client(&mine, rival_client.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .business_client(&theirs, BusinessClientId(bakery.id.0))
                .await,
            Err(StoreError::NotFound)
        ));

        // A workspace the owner is not a member of cannot be linked.
        let mut sneaky = client("Garage Rival SAS");
        sneaky.workspace = Some(foreign.workspace());
        assert!(matches!(
            store.create_business_client(&mine, &sneaky, 13).await,
            Err(StoreError::Forbidden)
        ));
        // A consumer has no SIREN; a client needs a name.
        let mut consumer_siren = client("Jeanne Petit");
        consumer_siren.kind = ClientKind::Consumer;
        let Err(StoreError::Invalid(invalid)) = store
            .create_business_client(&mine, &consumer_siren, 14)
            .await
        else {
            panic!("a consumer with a SIREN must be refused on {backend}");
        };
        assert_eq!(
            invalid.for_field("siren"),
            Some("error-client-consumer-siren")
        );
        assert!(matches!(
            store.create_business_client(&mine, &client(" "), 15).await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(
            store.business_clients(&mine).await.unwrap().len(),
            2,
            "{backend}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_owner_may_replace_the_rate_table_with_a_checked_copy() {
    each_backend(|store, backend| async move {
        let owner = store
            .create_user(&user("cm@example.fr"), false)
            .await
            .unwrap();
        let (scope, _) = store
            .create_business(owner.user_id(), &BusinessProfile::new("Artisan EI"), 1)
            .await
            .unwrap();
        let cfp = |table: &RateTable| {
            table
                .rate(Category::BicServices, RateKind::Cfp, date(2026, 1, 1))
                .unwrap()
                .value
                .get()
        };
        assert_eq!(
            cfp(&store.business_rate_table(&scope).await.unwrap()),
            10,
            "{backend}"
        );

        // A table that does not load is refused with its reason, and nothing is saved.
        let broken = SHIPPED.replacen("bp = 2560", "bp = 25600", 1);
        let refused = store
            .set_business_rate_table(&scope, Some(&broken), 2)
            .await
            .unwrap()
            .unwrap_err();
        assert!(refused.to_string().contains("not a rate"), "{refused}");
        assert_eq!(store.business_rate_table_text(&scope).await.unwrap(), None);

        // An artisan's CFP of 0.3 %.
        let artisan = SHIPPED.replacen(
            "category = \"bic-services\"\nkind = \"cfp\"\nfrom = \"2023-01-01\"\nbp = 10",
            "category = \"bic-services\"\nkind = \"cfp\"\nfrom = \"2023-01-01\"\nbp = 30",
            1,
        );
        assert_ne!(artisan, SHIPPED);
        store
            .set_business_rate_table(&scope, Some(&artisan), 3)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            cfp(&store.business_rate_table(&scope).await.unwrap()),
            30,
            "{backend}"
        );

        // Someone else's business is out of reach; going back to the shipped table works.
        let other = store
            .create_user(&user("other@example.fr"), false)
            .await
            .unwrap();
        let (theirs, _) = store
            .create_business(other.user_id(), &BusinessProfile::new("Other EI"), 1)
            .await
            .unwrap();
        assert_eq!(cfp(&store.business_rate_table(&theirs).await.unwrap()), 10);
        store
            .set_business_rate_table(&scope, None, 4)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            cfp(&store.business_rate_table(&scope).await.unwrap()),
            10,
            "{backend}"
        );
    })
    .await;
}
