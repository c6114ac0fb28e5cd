export const id = 574;
export const ids = [574];
export const modules = {

/***/ 6574:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   explain: () => (/* binding */ explain)
/* harmony export */ });
/* unused harmony export explainFacts */
/* harmony import */ var _aws_arn_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(1626);
/* harmony import */ var _aws_sts_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5483);
/* harmony import */ var _common_classify_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(903);
/* harmony import */ var _common_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1922);
/* harmony import */ var _common_log_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1095);
/* harmony import */ var _common_retry_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9183);
/* harmony import */ var _tokens_claims_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8505);
/* harmony import */ var _tokens_oidc_request_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(3717);
/* harmony import */ var _trust_advice_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(3754);









/** Turns any failure into one explained ActionError: what went wrong, and how to fix it. */
function explain(error, context = {}) {
    if (error instanceof _common_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .l)
        return error;
    const explained = error instanceof _common_retry_js__WEBPACK_IMPORTED_MODULE_4__/* .RetriesExhaustedError */ .i5
        ? retriesExhausted(error, context)
        : explainFacts(outside((0,_common_classify_js__WEBPACK_IMPORTED_MODULE_1__/* .errorFacts */ .u)(error)), context);
    return new _common_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .l(explained.title, explained.message, explained.fix, {
        cause: error,
        details: explained.details,
    });
}
/** Pure: the explanation of one STS (or SDK, or network) error. */
function explainFacts(facts, context) {
    const { code = '', message } = facts;
    const webIdentity = context.source?.kind === 'oidc' ||
        context.source?.kind === 'token-file' ||
        /AssumeRoleWithWebIdentity/.test(message);
    if (code === 'AccessDenied' && webIdentity)
        return trustRefused(facts, context);
    if (code === 'AccessDenied')
        return assumeRoleRefused(facts, context);
    if (code === 'InvalidIdentityToken' && /No OpenID ?Connect provider/i.test(message)) {
        return noProvider(facts, context);
    }
    if (code === 'InvalidIdentityToken' && /audience/i.test(message))
        return wrongAudience(facts, context);
    if (code === 'InvalidIdentityToken') {
        return {
            title: 'Web identity token rejected',
            message: `AWS STS rejected the web identity token${forRole(context)}: ${message}`,
            fix: 'With GitHub OIDC this is usually a passing fault: re-run the job. With web-identity-token-file, ' +
                "check that the file holds a current JWT from an issuer the role's account has a provider for.",
        };
    }
    if (code === 'ValidationError' && /DurationSeconds|MaxSessionDuration/i.test(message)) {
        return durationRefused(facts, context);
    }
    if (['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'UnrecognizedClient'].includes(code)) {
        return {
            title: `Source credentials rejected (${code})`,
            message: `AWS STS did not accept the credentials used to call it${forRole(context)}: ${message}`,
            fix: context.source?.kind === 'role-chaining'
                ? 'The credentials in the environment are expired or invalid: assume the first role again in this job before chaining.'
                : 'Check aws-access-key-id and aws-secret-access-key (and aws-session-token for temporary keys): ' +
                    'the key may be deactivated or deleted, or the secret copied with extra characters.',
        };
    }
    return {
        title: code ? `AWS STS: ${code}` : 'Could not get AWS credentials',
        message: `Could not get credentials${forRole(context)}: ${code ? `${code}: ` : ''}${message}`,
        fix: 'Check the role ARN, its trust policy, and the inputs of this step.',
    };
}
/** Pure: the facts with their outside text (an STS code or message) kept on one line. */
function outside(facts) {
    return { ...facts, message: (0,_common_log_js__WEBPACK_IMPORTED_MODULE_3__/* .oneLine */ .TN)(facts.message), ...(facts.code && { code: (0,_common_log_js__WEBPACK_IMPORTED_MODULE_3__/* .oneLine */ .TN)(facts.code) }) };
}
const forRole = (context) => (context.roleArn ? ` for ${context.roleArn}` : '');
const bullets = (lines) => lines.map((line) => `- ${line}`);
/** AccessDenied on AssumeRoleWithWebIdentity: the trust policy did not match the token. */
function trustRefused(facts, context) {
    const { claims, roleArn } = context;
    const what = [
        `${roleArn ?? 'The role'} refused this job's web identity token: ${facts.message}`,
        "The role's trust policy does not match the token's claims, or the role does not exist.",
    ];
    const details = claims
        ? [
            "The token's claims (not secrets):",
            ...(0,_trust_advice_js__WEBPACK_IMPORTED_MODULE_7__/* .claimLines */ .K3)(claims),
            'A trust policy condition that matches this job:',
            ...(0,_trust_advice_js__WEBPACK_IMPORTED_MODULE_7__/* .matchingCondition */ .BR)(claims).map((line) => `  ${line}`),
        ]
        : ['The token could not be read, so its claims are unknown.'];
    const { likely, others } = (0,_trust_advice_js__WEBPACK_IMPORTED_MODULE_7__/* .usualMismatches */ .hA)(claims, roleArn);
    const account = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_8__/* .accountOf */ .XP)(roleArn);
    const provider = `arn:${(0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_8__/* .partitionOf */ .iQ)(roleArn)}:iam::${account ?? 'ACCOUNT'}:oidc-provider/${(0,_tokens_claims_js__WEBPACK_IMPORTED_MODULE_5__/* .providerHost */ .CT)(claims?.iss)}`;
    const fix = [
        claims
            ? "Compare the role's trust policy with the condition above."
            : "Compare the role's trust policy with this job's token claims.",
        ...(likely.length ? ['Likely here:', ...bullets(likely)] : []),
        'Also check:',
        ...bullets([
            ...others,
            `The statement's Principal is {"Federated": "${provider}"} and its Action is sts:AssumeRoleWithWebIdentity.`,
        ]),
    ];
    return {
        title: 'Role trust policy does not match this job (AccessDenied)',
        message: [...what, ...details].join('\n'),
        fix: fix.join('\n'),
        details: {
            cause: (claims ? what : [...what, ...details]).join('\n'),
            ...(claims
                ? {
                    facts: {
                        heading: "The token's claims (not secrets)",
                        rows: _tokens_claims_js__WEBPACK_IMPORTED_MODULE_5__/* .PRINTED_CLAIMS */ .TC.map((key) => [key, claims[key] ?? '(not in the token)']),
                    },
                    code: {
                        heading: 'A trust policy condition that matches this job',
                        language: 'json',
                        lines: (0,_trust_advice_js__WEBPACK_IMPORTED_MODULE_7__/* .matchingCondition */ .BR)(claims),
                    },
                }
                : {}),
        },
    };
}
/** AccessDenied on AssumeRole: the caller is not trusted, or may not tag, or the ExternalId differs. */
function assumeRoleRefused(facts, context) {
    if (/sts:TagSession/.test(facts.message)) {
        return {
            title: 'Role does not allow session tags (AccessDenied)',
            message: `${facts.message}\nThis action tags the session with the run's details unless told not to.`,
            fix: "Add sts:TagSession next to sts:AssumeRole in the role's trust policy, " +
                'or set `role-skip-session-tagging: true`.',
        };
    }
    return {
        title: 'Not allowed to assume the role (AccessDenied)',
        message: `${facts.message}${context.roleArn && !facts.message.includes(context.roleArn) ? ` (role ${context.roleArn})` : ''}`,
        fix: [
            "The role's trust policy must name the caller (the ARN above, its role, or its account root) as a Principal " +
                "allowed sts:AssumeRole and sts:TagSession, and the caller's own policies must allow sts:AssumeRole on the role.",
            'If the trust policy has an sts:ExternalId condition, role-external-id must equal it.',
            'Check role-to-assume for a typo and the right account.',
        ].join('\n'),
    };
}
function noProvider(facts, context) {
    const issuer = /for (https:\/\/\S+)/.exec(facts.message)?.[1] ?? context.claims?.iss ?? _tokens_claims_js__WEBPACK_IMPORTED_MODULE_5__/* .GITHUB_ISSUER */ .oX;
    const account = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_8__/* .accountOf */ .XP)(context.roleArn);
    const audience = context.claims?.aud ?? context.audience ?? _aws_sts_js__WEBPACK_IMPORTED_MODULE_0__/* .STS_AUDIENCE */ .a9;
    return {
        title: "No OIDC identity provider in the role's account",
        message: `${account ? `Account ${account}` : "The role's account"} has no IAM OIDC identity provider for ${issuer}, ` +
            `so it cannot accept this job's token: ${facts.message}`,
        fix: `Create the provider once in ${account ? `account ${account}` : "the role's account"} ` +
            `(IAM > Identity providers > Add provider > OpenID Connect, URL ${issuer}, audience ${audience}), ` +
            `or: aws iam create-open-id-connect-provider --url ${issuer} --client-id-list ${audience}`,
    };
}
function wrongAudience(facts, context) {
    const aud = context.claims?.aud ?? context.audience ?? _aws_sts_js__WEBPACK_IMPORTED_MODULE_0__/* .STS_AUDIENCE */ .a9;
    const account = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_8__/* .accountOf */ .XP)(context.roleArn) ?? 'ACCOUNT';
    const host = (0,_tokens_claims_js__WEBPACK_IMPORTED_MODULE_5__/* .providerHost */ .CT)(context.claims?.iss);
    return {
        title: 'Token audience not accepted (InvalidIdentityToken)',
        message: `The token's aud is "${aud}", which is not one of the client IDs (audiences) of the OIDC provider ` +
            `for ${host} in the role's account: ${facts.message}`,
        fix: `Set the \`audience\` input to one of the provider's client IDs (the default is ${_aws_sts_js__WEBPACK_IMPORTED_MODULE_0__/* .STS_AUDIENCE */ .a9}), ` +
            `or add "${aud}" to them: aws iam add-client-id-to-open-id-connect-provider ` +
            `--open-id-connect-provider-arn arn:${(0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_8__/* .partitionOf */ .iQ)(context.roleArn)}:iam::${account}:oidc-provider/${host} --client-id ${aud}. ` +
            `The trust policy's "${host}:aud" condition must name the same value.`,
    };
}
function durationRefused(facts, context) {
    const asked = context.durationSeconds;
    const value = asked === undefined ? 'The requested duration' : `role-duration-seconds ${asked} (${hours(asked)})`;
    if (/role chaining/i.test(facts.message)) {
        return {
            title: 'Session longer than 1 hour for role chaining',
            message: `${value} is over the 1 hour limit for a role assumed with another role's session (role chaining): ` +
                facts.message,
            fix: 'Set role-duration-seconds to 3600 or less for this step, or assume this role directly with OIDC instead of chaining.',
        };
    }
    if (/MaxSessionDuration/i.test(facts.message)) {
        const name = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_8__/* .roleNameOf */ .xZ)(context.roleArn) ?? 'ROLE';
        return {
            title: "Session longer than the role's MaxSessionDuration",
            message: `${value} is over the maximum session duration set on ${context.roleArn ?? 'the role'}: ${facts.message}`,
            fix: "Lower role-duration-seconds to the role's maximum (3600 unless raised), or raise the maximum " +
                `(up to 43200): aws iam update-role --role-name ${name} --max-session-duration ${asked ?? 'SECONDS'}`,
        };
    }
    return {
        title: 'Session duration not accepted',
        message: `${value} was refused: ${facts.message}`,
        fix: 'Use a role-duration-seconds from 900 to 43200, and no more than the role allows.',
    };
}
function hours(seconds) {
    const h = seconds / 3600;
    return `${Number.isInteger(h) ? h : h.toFixed(2)} h`;
}
const THROTTLED = /Throttl|RequestLimitExceeded|TooManyRequests|HTTP 429/;
const UNREACHABLE = /^E[A-Z]+$|^UND_ERR|Timeout|network/;
/** What each caller can raise to retry for longer, and what its deadline is. */
const RETRY_BUDGET = {
    action: {
        raise: ' Raise retry-max-attempts or action-timeout-s to wait it out.',
        deadline: "the step's deadline (action-timeout-s, or 120 s without it)",
    },
    refresher: {
        raise: ' Raise retry-max-attempts in the step that wrote this profile to retry more often.',
        deadline: "the refresher's 40 s deadline (an AWS SDK stops waiting for credential_process after a minute)",
    },
    cli: { raise: '', deadline: 'the 120 s deadline' },
};
/** Retries ran out: how many, over how long, the last error, and what usually causes that one. */
function retriesExhausted(error, context) {
    const code = (0,_common_log_js__WEBPACK_IMPORTED_MODULE_3__/* .oneLine */ .TN)(error.lastCode);
    const tokenEndpoint = error.cause instanceof _tokens_oidc_request_js__WEBPACK_IMPORTED_MODULE_6__/* .OidcRequestError */ .BE;
    const budget = RETRY_BUDGET[context.caller ?? 'action'];
    let fix;
    if (tokenEndpoint) {
        fix =
            "GitHub's OIDC token endpoint kept failing; this is on GitHub's side and usually passes: re-run the job.";
    }
    else if (code === 'IDPCommunicationError' || code === 'InvalidIdentityToken') {
        fix = `AWS could not fetch the token issuer's signing keys (common when many jobs start at once). It passes: re-run the job.${budget.raise}`;
    }
    else if (THROTTLED.test(code)) {
        fix = `STS throttled this account: run fewer jobs at once (strategy.max-parallel on GitHub).${budget.raise}`;
    }
    else if (UNREACHABLE.test(code)) {
        fix = "STS could not be reached: check the runner's network, http-proxy / no-proxy and sts-endpoint.";
    }
    else {
        fix = `This is usually a passing AWS or GitHub fault: re-run the job.${budget.raise}`;
    }
    if (error.reason === 'deadline')
        fix = `The retries ran into ${budget.deadline}. ${fix}`;
    const attempts = `${error.attempts} attempt${error.attempts === 1 ? '' : 's'}`;
    const gaveUp = `Gave up${forRole(context)} after ${attempts} over ${(error.elapsedMs / 1000).toFixed(1)} s; the last error was ${code}: ${(0,_common_log_js__WEBPACK_IMPORTED_MODULE_3__/* .oneLine */ .TN)(error.message)}`;
    if (error.reason === 'deadline' && context.actionTimeoutSeconds) {
        return {
            title: 'Action timed out',
            message: `The action did not finish within action-timeout-s (${context.actionTimeoutSeconds} s). ${gaveUp}`,
            fix,
        };
    }
    return {
        title: tokenEndpoint
            ? `GitHub OIDC token endpoint retries exhausted (${code})`
            : `AWS STS retries exhausted (${code})`,
        message: gaveUp,
        fix,
    };
}


/***/ })

};
