//! The Dynamics entities the simulator serves, with the option-set values of the reference
//! (ms-api.md §6.1 D-ESP, §6.2 D-MBX, §6.3 D-ORG, §6.4 D-TRC).

/// A lookup that is written with `<nav>@odata.bind: "/<set>(<id>)"` and read as `_<attr>_value`.
pub struct Bind {
    pub nav: &'static str,
    pub attr: &'static str,
    pub target_set: &'static str,
}

pub struct EntityDef {
    pub set: &'static str,
    pub logical: &'static str,
    pub key: &'static str,
    /// Every readable property (filter, select).
    pub fields: &'static [&'static str],
    /// Properties a PATCH or POST may set.
    pub writable: &'static [&'static str],
    pub binds: &'static [Bind],
    /// Picklist (and bounded integer) properties and the values they accept.
    pub options: &'static [(&'static str, &'static [i64])],
    /// Properties that must be present on create.
    pub required: &'static [&'static str],
}

// ms-api.md §6.1 (D-ESP).
pub const EMAILSERVERPROFILE: EntityDef = EntityDef {
    set: "emailserverprofiles",
    logical: "emailserverprofile",
    key: "emailserverprofileid",
    fields: &[
        "emailserverprofileid",
        "name",
        "description",
        "servertype",
        "usedefaulttenantid",
        "exchangeonlinetenantid",
        "useautodiscover",
        "incomingserverlocation",
        "outgoingserverlocation",
        "incomingcredentialretrieval",
        "outgoingcredentialretrieval",
        "processemailsreceivedafter",
        "minpollingintervalinminutes",
        "moveundeliveredemails",
        "lasttestexecutionstatus",
        "lasttestresponse",
        "lastteststarttime",
        "statecode",
        "statuscode",
        "versionnumber",
        "createdon",
        "modifiedon",
    ],
    writable: &[
        "name",
        "description",
        "servertype",
        "usedefaulttenantid",
        "exchangeonlinetenantid",
        "useautodiscover",
        "incomingserverlocation",
        "outgoingserverlocation",
        "incomingcredentialretrieval",
        "outgoingcredentialretrieval",
        "processemailsreceivedafter",
        "minpollingintervalinminutes",
        "moveundeliveredemails",
        "statecode",
        "statuscode",
    ],
    binds: &[],
    options: &[
        ("servertype", &[0, 1, 2, 3]),
        ("incomingcredentialretrieval", &[0, 1, 2, 3, 4]),
        ("outgoingcredentialretrieval", &[0, 1, 2, 3, 4]),
        ("statecode", &[0, 1]),
        ("statuscode", &[1, 2]),
    ],
    required: &["name", "servertype"],
};

// ms-api.md §6.2 (D-MBX).
pub const MAILBOX: EntityDef = EntityDef {
    set: "mailboxes",
    logical: "mailbox",
    key: "mailboxid",
    fields: &[
        "mailboxid",
        "name",
        "emailaddress",
        "_emailserverprofile_value",
        "_regardingobjectid_value",
        "_owningbusinessunit_value",
        "incomingemaildeliverymethod",
        "outgoingemaildeliverymethod",
        "actdeliverymethod",
        "emailrouteraccessapproval",
        "testemailconfigurationscheduled",
        "incomingemailstatus",
        "outgoingemailstatus",
        "actstatus",
        "testmailboxaccesscompletedon",
        "statecode",
        "versionnumber",
        "modifiedon",
    ],
    writable: &[
        "incomingemaildeliverymethod",
        "outgoingemaildeliverymethod",
        "actdeliverymethod",
        "emailrouteraccessapproval",
        "testemailconfigurationscheduled",
        "emailaddress",
        "name",
    ],
    binds: &[Bind {
        nav: "emailserverprofile",
        attr: "_emailserverprofile_value",
        target_set: "emailserverprofiles",
    }],
    options: &[
        ("incomingemaildeliverymethod", &[0, 1, 2, 3]),
        ("outgoingemaildeliverymethod", &[0, 1, 2]),
        ("actdeliverymethod", &[0, 1, 2]),
        ("emailrouteraccessapproval", &[0, 1, 2, 3]),
    ],
    required: &["name"],
};

// ms-api.md §6.3 (D-ORG).
pub const ORGANIZATION: EntityDef = EntityDef {
    set: "organizations",
    logical: "organization",
    key: "organizationid",
    fields: &[
        "organizationid",
        "name",
        "_defaultemailserverprofileid_value",
        "defaultemailsettings",
        "versionnumber",
    ],
    writable: &["defaultemailsettings"],
    binds: &[Bind {
        nav: "defaultemailserverprofileid",
        attr: "_defaultemailserverprofileid_value",
        target_set: "emailserverprofiles",
    }],
    options: &[],
    required: &[],
};

// ms-api.md §6.4 (D-TRC).
pub const TRACELOG: EntityDef = EntityDef {
    set: "tracelogs",
    logical: "tracelog",
    key: "tracelogid",
    fields: &[
        "tracelogid",
        "text",
        "level",
        "tracecode",
        "tracestatus",
        "errordetails",
        "_regardingobjectid_value",
        "createdon",
        "versionnumber",
    ],
    writable: &[],
    binds: &[],
    options: &[],
    required: &[],
};

// The signed-in users (WhoAmI's UserId), read-only here.
pub const SYSTEMUSER: EntityDef = EntityDef {
    set: "systemusers",
    logical: "systemuser",
    key: "systemuserid",
    fields: &[
        "systemuserid",
        "fullname",
        "internalemailaddress",
        "_businessunitid_value",
        "versionnumber",
    ],
    writable: &[],
    binds: &[],
    options: &[],
    required: &[],
};

// Queues own mailboxes as users do (ms-api.md §6.2 regardingobjectid: systemuser/queue), read-only here.
pub const QUEUE: EntityDef = EntityDef {
    set: "queues",
    logical: "queue",
    key: "queueid",
    fields: &["queueid", "name", "emailaddress", "versionnumber"],
    writable: &[],
    binds: &[],
    options: &[],
    required: &[],
};

pub const ALL: &[&EntityDef] = &[
    &EMAILSERVERPROFILE,
    &MAILBOX,
    &ORGANIZATION,
    &TRACELOG,
    &SYSTEMUSER,
    &QUEUE,
];

pub fn by_set(set: &str) -> Option<&'static EntityDef> {
    ALL.iter().copied().find(|e| e.set == set)
}

// ms-api.md §6.1: servertype 3 "Exchange Online (Hybrid)".
pub const SERVERTYPE_EXCHANGE_ONLINE_HYBRID: i64 = 3;
