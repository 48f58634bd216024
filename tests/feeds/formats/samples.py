"""Small export files built from each platform's documented column lists: hand-written,
synthetic ids, no real student data. Each has the quirks real exports have (a UTF-8 BOM,
CRLF line ends, quoted commas, blank growth fields, extra columns, names and birth dates
that must be dropped)."""

from __future__ import annotations

import io
import zipfile

BOM = b"\xef\xbb\xbf"


def excel_csv(*lines: str) -> bytes:
    """What a Windows export looks like: a BOM and CRLF line ends."""
    return BOM + ("\r\n".join(lines) + "\r\n").encode()


def plain_csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


# NWEA MAP Growth, Comprehensive Data File, AssessmentResults.csv (a subset of its columns,
# in its order). S1..S3 have fall and spring growth events; S3's spring event was re-tested
# (the first attempt is not the growth event); S2 has no CGP in spring (blank growth field).
MAP_HEADER = (
    "TermName,DistrictName,SchoolName,StudentLastName,StudentFirstName,StudentMI,StudentID,"
    "StudentDateOfBirth,StudentEthnicGroup,StudentGender,Grade,MeasurementScale,Discipline,"
    "GrowthMeasureYN,TestType,TestName,TestID,TestStartDate,TestDurationMinutes,TestRITScore,"
    "TestStandardError,TestPercentile,FallToSpringProjectedGrowth,"
    "FallToSpringObservedGrowth,FallToWinterConditionalGrowthPercentile,"
    "FallToSpringConditionalGrowthPercentile,RapidGuessingPercentage"
)
MAP_FILE = excel_csv(
    MAP_HEADER,
    'Fall 2026-2027,Ector ISD,"North Elementary, Campus 2",Doe,Jan,A,S1,01/02/2017,Hispanic,F,'
    "3,Reading,Reading,TRUE,Survey With Goals,Growth: Reading 2-5,T1,9/14/2026,41,180,3.1,45,"
    "9,,,,0",
    'Fall 2026-2027,Ector ISD,"North Elementary, Campus 2",Roe,Ann,,S2,03/04/2017,White,F,'
    "3,Reading,Reading,TRUE,Survey With Goals,Growth: Reading 2-5,T2,9/15/2026,38,190,3.2,60,"
    "8,,,,12.5",
    "Fall 2026-2027,Ector ISD,South Elementary,Poe,Al,,S3,05/06/2016,Asian,M,"
    "4,Reading,Reading,TRUE,Survey With Goals,Growth: Reading 2-5,T3,9/16/2026,45,200,3.0,70,"
    "7,,,,",
    'Spring 2026-2027,Ector ISD,"North Elementary, Campus 2",Doe,Jan,A,S1,01/02/2017,Hispanic,F,'
    "3,Reading,Reading,TRUE,Survey With Goals,Growth: Reading 2-5,T4,4/20/2027,40,192,3.1,55,"
    "9,12,,61,0",
    'Spring 2026-2027,Ector ISD,"North Elementary, Campus 2",Roe,Ann,,S2,03/04/2017,White,F,'
    "3,Reading,Reading,TRUE,Survey With Goals,Growth: Reading 2-5,T5,4/21/2027,37,194,3.3,58,"
    "8,4,,,3",
    "Spring 2026-2027,Ector ISD,South Elementary,Poe,Al,,S3,05/06/2016,Asian,M,"
    "4,Reading,Reading,FALSE,Survey With Goals,Growth: Reading 2-5,T6,4/19/2027,9,150,4.9,5,"
    "7,,,,40",
    "Spring 2026-2027,Ector ISD,South Elementary,Poe,Al,,S3,05/06/2016,Asian,M,"
    "4,Reading,Reading,TRUE,Survey With Goals,Growth: Reading 2-5,T7,4/22/2027,44,207,3.0,72,"
    "7,7,,50,0",
)

# Renaissance Star data export (Star Reading), a subset of its documented columns. S1 took
# two tests in the spring screening period: the later one counts. A progress-monitoring test
# (no screening period) is skipped.
STAR_HEADER = (
    "RenaissanceClientID,SchoolYear,StudentRenaissanceID,StudentSourcedID,StudentIdentifier,"
    "StudentFirstName,StudentLastName,Gender,BirthDate,CurrentGrade,SchoolName,AssessmentID,"
    "CompletedDate,CompletedDateLocal,AssessmentType,ScaledScore,PercentileRank,"
    "StudentGrowthPercentileFallSpring,StudentGrowthPercentileFallWinter,"
    "ScreeningPeriodWindowName,ScreeningWindowStartDate,ScreeningWindowEndDate"
)
STAR_FILE = excel_csv(
    STAR_HEADER,
    '1,2026-2027,r1,src1,S1,Jan,Doe,F,1/2/2017,3,"North, Campus 2",a1,9/10/2026 15:02,'
    "9/10/2026 10:02,Star Reading,400,40,,,Fall 2026,9/1/2026,9/30/2026",
    "1,2026-2027,r2,src2,S2,Ann,Roe,F,3/4/2017,3,North,a2,9/11/2026 15:00,9/11/2026 10:00,"
    "Star Reading,450,55,,,Fall 2026,9/1/2026,9/30/2026",
    "1,2026-2027,r1,src1,S1,Jan,Doe,F,1/2/2017,3,North,a3,11/2/2026 15:00,11/2/2026 10:00,"
    "Star Reading,420,45,,,,,",
    "1,2026-2027,r1,src1,S1,Jan,Doe,F,1/2/2017,3,North,a4,4/20/2027 15:00,4/20/2027 10:00,"
    "Star Reading,430,44,,,Spring 2027,4/15/2027,5/15/2027",
    "1,2026-2027,r1,src1,S1,Jan,Doe,F,1/2/2017,3,North,a5,4/27/2027 15:00,4/27/2027 1:30 PM,"
    "Star Reading,470,60,65,,Spring 2027,4/15/2027,5/15/2027",
    "1,2026-2027,r2,src2,S2,Ann,Roe,F,3/4/2017,3,North,a6,4/21/2027 15:00,4/21/2027 10:00,"
    "Star Reading,460,50,,,Spring 2027,4/15/2027,5/15/2027",
)

# i-Ready Diagnostic Results export (Math), without a Subject column: ?subject=math.
IREADY_HEADER = (
    "Student ID,Student Last Name,Student First Name,Student Grade,Academic Year,School,"
    "Start Date,Completion Date,Baseline Diagnostic (Y/N),Most Recent Diagnostic (Y/N),"
    "Duration (min),Rush Flag,Overall Scale Score,Overall Placement,Percentile,"
    "Annual Typical Growth Measure,Annual Stretch Growth Measure"
)
IREADY_FILE = excel_csv(
    IREADY_HEADER,
    'S1,Doe,Jan,3,2026-2027,"North, Campus 2",9/14/2026,9/14/2026,Y,N,40,,400,'
    '"Grade 2, Mid",30,20,35',
    "S2,Roe,Ann,3,2026-2027,North,9/15/2026,9/16/2026,Y,N,42,Yellow,410,Early 3,35,,",
    "S1,Doe,Jan,3,2026-2027,North,4/20/2027,4/20/2027,N,Y,41,,425,Mid 3,45,20,35",
    "S2,Roe,Ann,3,2026-2027,North,4/21/2027,4/21/2027,N,Y,39,,418,Mid 3,40,,",
)
IREADY_WINDOWS_JSON = {
    "fall-2026": {"from": "2026-08-15", "to": "2026-10-15"},
    "spring-2027": {"from": "2027-04-15", "to": "2027-06-10"},
}

# A tutoring provider's session log: S1 attended two sessions on one day (session ids),
# S2 missed one (attended false: 0 minutes, 0 sessions).
TUTORING_FILE = excel_csv(
    "student_id,tutor_name,session_date,session_id,minutes_scheduled,minutes_present,attended,notes",
    'S1,"Smith, Pat",2026-09-02,sess-1,30,30,true,"fractions, decimals"',
    "S1,Smith,2026-09-02,sess-2,30,25,true,",
    "S2,Lee,9/3/2026,sess-3,30,0,false,absent",
    "S2,Lee,9/4/2026,sess-4,30,28.5,TRUE,",
)


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# OneRoster 1.2 CSV bulk file: a teacher (not a student), S1 in KG, S2 in grade 03 with
# a primary school, S3 to be deleted, S4 identified only by sourcedId.
ONEROSTER_FILES = {
    "manifest.csv": plain_csv(
        "propertyName,value", "manifest.version,1.0", "oneroster.version,1.2"
    ),
    "users.csv": excel_csv(
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
        "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
        "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
        "preferredFamilyName,primaryOrgSourcedId,pronouns,role",
        "u-t1,,,true,tlee,,Terry,Lee,,T100,t@example.test,,,,,,,,,,,org-n,,teacher",
        'u-1,,,true,jdoe,,Jan,"Doe, Jr.",,S1,,,,,KG,,,,,,,,,student',
        "u-2,active,,true,aroe,,Ann,Roe,,S2,,,,,03,,,,,,,org-s,,student",
        "u-3,tobedeleted,,true,apoe,,Al,Poe,,S3,,,,,04,,,,,,,,,student",
        "u-4,,,true,bkim,,Bo,Kim,,,,,,,05,,,,,,,,,student",
    ),
    "orgs.csv": plain_csv(
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
        "org-d,,,Ector ISD,district,ECTOR,",
        "org-n,,,North Elementary,school,sch-1,org-d",
        "org-s,,,South Elementary,school,sch-2,org-d",
    ),
    "enrollments.csv": plain_csv(
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate",
        "e1,,,c1,org-n,u-1,student,,2026-08-15,",
        "e2,,,c2,org-n,u-2,student,,2026-08-15,",
        "e3,,,c3,org-s,u-2,student,,2026-08-15,",
        "e4,,,c4,org-s,u-4,student,,2026-08-15,",
        "e5,,,c1,org-n,u-t1,teacher,,2026-08-15,",
    ),
    "demographics.csv": plain_csv(
        "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
        "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
        "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,metadata.ell,metadata.sped,"
        "metadata.econ_disadv",
        "u-1,,,2020-03-01,female,false,false,false,false,true,false,true,true,false,true",
        "u-2,,,2017-05-02,female,false,true,false,false,false,false,false,false,false,false",
    ),
}
ONEROSTER_ZIP = zip_of(ONEROSTER_FILES)
