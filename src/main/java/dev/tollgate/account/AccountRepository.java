package dev.tollgate.account;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Tenants, users and their browser sessions. */
@Repository
class AccountRepository {

    private static final String USER_COLUMNS = """
            u.id, u.email, u.password_hash, u.role, t.id as tenant_id, t.name as tenant_name
            from app_user u join tenant t on t.id = u.tenant_id""";

    private final DatabaseClient db;
    private final TransactionalOperator transaction;

    AccountRepository(DatabaseClient db, TransactionalOperator transaction) {
        this.db = db;
        this.transaction = transaction;
    }

    /**
     * Creates a tenant with its owner, then runs the onboarding steps, all in one transaction; fails with a
     * DuplicateKeyException for a taken email.
     */
    Mono<SessionUser> insertTenantWithOwner(UUID tenantId, String tenantName, UUID userId, String email,
            String passwordHash, List<TenantOnboarding> onboarding) {
        Mono<Void> tenant = db.sql("insert into tenant (id, name) values (:id, :name)")
            .bind("id", tenantId)
            .bind("name", tenantName)
            .then();
        Mono<Void> owner = db.sql("""
                insert into app_user (id, tenant_id, email, password_hash, role)
                values (:id, :tenant, :email, :hash, 'owner')""")
            .bind("id", userId)
            .bind("tenant", tenantId)
            .bind("email", email)
            .bind("hash", passwordHash)
            .then();
        Mono<Void> steps = Flux.fromIterable(onboarding).concatMap(step -> step.tenantCreated(tenantId)).then();
        return tenant.then(owner)
            .then(steps)
            .as(transaction::transactional)
            .thenReturn(new SessionUser(userId, email, tenantId, tenantName, "owner"));
    }

    /** Whether this email is one of those as the database compares emails: its unique index is on lower(email). */
    Mono<Boolean> sameEmailAsAny(String email, List<String> others) {
        return db.sql("select exists (select 1 from unnest(cast(:others as text[])) o where lower(o) = lower(:email))"
                + " as same")
            .bind("others", others.toArray(String[]::new))
            .bind("email", email)
            .map((row, meta) -> Boolean.TRUE.equals(row.get("same", Boolean.class)))
            .one();
    }

    Mono<UserWithPassword> findByEmail(String email) {
        return db.sql("select " + USER_COLUMNS + " where lower(u.email) = lower(:email)")
            .bind("email", email)
            .map((row, meta) -> new UserWithPassword(
                    new SessionUser(row.get("id", UUID.class), row.get("email", String.class),
                            row.get("tenant_id", UUID.class), row.get("tenant_name", String.class),
                            row.get("role", String.class)),
                    row.get("password_hash", String.class)))
            .one();
    }

    Mono<Void> insertSession(byte[] tokenHash, UUID userId, OffsetDateTime expiresAt) {
        return db.sql("insert into user_session (token_hash, user_id, expires_at) values (:hash, :user, :expires)")
            .bind("hash", tokenHash)
            .bind("user", userId)
            .bind("expires", expiresAt)
            .then();
    }

    Mono<SessionUser> findUserBySession(byte[] tokenHash) {
        return db.sql("select " + USER_COLUMNS
                + " join user_session s on s.user_id = u.id where s.token_hash = :hash and s.expires_at > now()")
            .bind("hash", tokenHash)
            .map((row, meta) -> new SessionUser(row.get("id", UUID.class), row.get("email", String.class),
                    row.get("tenant_id", UUID.class), row.get("tenant_name", String.class),
                    row.get("role", String.class)))
            .one();
    }

    Mono<Void> deleteSession(byte[] tokenHash) {
        return db.sql("delete from user_session where token_hash = :hash").bind("hash", tokenHash).then();
    }

    Mono<Long> deleteExpiredSessions() {
        return db.sql("delete from user_session where expires_at <= now()").fetch().rowsUpdated();
    }

    record UserWithPassword(SessionUser user, String passwordHash) {
    }

}
