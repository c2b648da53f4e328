import Foundation
import Hummingbird
import HTTPTypes
import SealedJournal

/// The HTTP face of a witness: C2SP `tlog-witness` `POST /add-checkpoint`.
///
/// 200 with the cosignature line; 400 malformed; 403 bad signature; 404 unknown journal; 409
/// stale old size (body: the latest cosigned size and a newline, `Content-Type: text/x.tlog.size`)
/// or a fork; 413 above 16 KiB; 422 a consistency proof that fails; 500 when the state store
/// fails (nothing was cosigned). Bodies are plain text built from public facts only.
public enum WitnessHTTP {
    /// The router with the `add-checkpoint` route under `prefix`.
    public static func router(witness: Witness, store: any WitnessStore, prefix: String = "") -> Router<BasicRequestContext> {
        let router = Router()
        router.post("\(prefix)/add-checkpoint") { request, _ -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: WitnessRequest.maximumByteCount)
            } catch {
                return text(.contentTooLarge, WitnessError.requestTooLarge(limit: WitnessRequest.maximumByteCount).description + "\n")
            }
            do {
                let parsed = try WitnessRequest.parse(Array(buffer: body))
                let response = try await store.cosign(parsed, witness: witness, now: Date())
                return text(.ok, response.body)
            } catch let error as WitnessError {
                if let size = error.responseBody {
                    return Response(status: .conflict, headers: [.contentType: "text/x.tlog.size"], body: .init(byteBuffer: ByteBuffer(string: size)))
                }
                return text(HTTPResponse.Status(code: error.httpStatus), error.description + "\n")
            } catch {
                return text(.internalServerError, "the witness state could not be updated; nothing was cosigned\n")
            }
        }
        return router
    }

    /// A server on loopback only (`127.0.0.1`), port `port` (0 picks a free one).
    public static func application(witness: Witness, store: any WitnessStore, port: Int, prefix: String = "") -> some ApplicationProtocol {
        Application(router: router(witness: witness, store: store, prefix: prefix),
                    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "sealed-journal-witness"))
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
