// Run by test_browser_library.py: the vendored browser bundle, in Node, on the RFC 9497
// vectors and on the portal server's own answer. Reads a job as JSON on stdin and prints
// what the library computed as JSON; the Python test compares.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const job = JSON.parse(readFileSync(0, "utf8"));
const pp = await import(pathToFileURL(job.bundle).href);
const hex = (b) => Buffer.from(b).toString("hex");
const bytes = (h) => Uint8Array.from(Buffer.from(h, "hex"));
const list = (text) => text.split(",").map(bytes);
const suite = pp.Oprf.Suite.P384_SHA384;
const mode = pp.Oprf.Mode.VOPRF;
const group = pp.Oprf.getGroup(suite);

// The vectors fix the client's blinds and the prover's random scalar: both are hooks.
function fixedClient(publicKey, blindsHex) {
  const client = new pp.VOPRFClient(suite, publicKey);
  const blinds = list(blindsHex).map((b) => group.desScalar(b));
  client.randomBlinder = async () => blinds.shift();
  return client;
}

const result = { vectors: [] };
const sk = await pp.derivePrivateKey(mode, suite, bytes(job.suite.seed), bytes(job.suite.keyInfo));
const pk = pp.generatePublicKey(suite, sk);
result.skSm = hex(sk);
result.pkSm = hex(pk);
for (const vector of job.suite.vectors) {
  const client = fixedClient(pk, vector.Blind);
  const server = new pp.VOPRFServer(suite, sk);
  const r = group.desScalar(bytes(vector.Proof.r));
  server.prover.randomScalar = async () => r;
  const [finData, request] = await client.blind(list(vector.Input));
  const evaluation = await server.blindEvaluate(request);
  const outputs = await client.finalize(finData, evaluation);
  result.vectors.push({
    BlindedElement: request.blinded.map((e) => hex(e.serialize())).join(","),
    EvaluationElement: evaluation.evaluated.map((e) => hex(e.serialize())).join(","),
    proof: hex(evaluation.proof.serialize()),
    Output: outputs.map(hex).join(","),
  });
}

// The portal's batched answer (its week key, its own random proof), parsed as count.js
// parses it: a 2-byte length, the evaluated elements, then the proof.
const answer = bytes(job.portal.response);
const length = new DataView(answer.buffer).getUint16(0);
const evaluated = [];
for (let at = 2; at < 2 + length; at += pp.VOPRF.Ne) {
  evaluated.push(group.desElt(answer.subarray(at, at + pp.VOPRF.Ne)));
}
const proof = pp.DLEQProof.deserialize(group.id, answer.subarray(2 + length));
const client = fixedClient(bytes(job.portal.public_key), job.portal.blinds);
const [finData] = await client.blind(list(job.portal.inputs));
const outputs = await client.finalize(finData, new pp.Evaluation(mode, evaluated, proof));
result.portal_outputs = outputs.map(hex).join(",");
try {
  const wrongKey = fixedClient(pk, job.portal.blinds);
  const [wrongData] = await wrongKey.blind(list(job.portal.inputs));
  await wrongKey.finalize(wrongData, new pp.Evaluation(mode, evaluated, proof));
  result.other_key = "accepted";
} catch (error) {
  result.other_key = error.message;
}

// The Privacy Pass structures, framed by privacypass-ts.
const challenge = new pp.TokenChallenge(job.token.type, job.token.issuer_name, new Uint8Array(0));
result.challenge = hex(challenge.serialize());
const input = new pp.AuthenticatorInput(
  pp.VOPRF, job.token.type, bytes(job.token.nonce), bytes(job.token.digest), bytes(job.token.key_id),
);
result.token = hex(new pp.Token(pp.VOPRF, input, bytes(job.token.authenticator)).serialize());
console.log(JSON.stringify(result));
